#ifndef FDSHMEM_TESTS_ERRCASE_TREE_H
#define FDSHMEM_TESTS_ERRCASE_TREE_H

/* The scratch tree that the error cases of regions and domains work in
   (errcases_region.c, errcases_domain.c; what it holds: errcase_tree.c).
   Made once by a test program's main, before any test: no case changes
   what another one uses. */

#include <sys/types.h>

/* Makes the tree, removed at exit by the process that made it.  Returns
   0, FDT_SKIP when there is no place for it off tmpfs (reason printed),
   or 1 on failure. */
int errcase_tree_new( void );

/* The tree's two tops: a directory off tmpfs, and a domain on tmpfs. */
char const * errcase_tree_dir( void );
char const * errcase_tree_shm( void );

/* top/rel (eight at a time). */
char const * errcase_tree_under( char const * top, char const * rel );

/* errcase_tree_dir()/NAME, NAME 300 bytes long (past NAME_MAX), then tail. */
char const * errcase_tree_long_path_then( char const * tail );

/* Privileged: runs call with errcase_tree_dir()/mdom a live domain: a
   tmpfs of mode mode on mdom/.normal holding root's file f.  Everything
   is undone before it returns what call returned (-1: the domain could
   not be made). */
int errcase_tree_with_domain( mode_t mode, int (*call)( void ) );

#endif /* FDSHMEM_TESTS_ERRCASE_TREE_H */

#ifndef FDSHMEM_SRC_CTL_CTL_CONF_H
#define FDSHMEM_SRC_CTL_CTL_CONF_H

/* The provisioning file (fdshmem.conf(5)): parsed into a plain struct,
   with no side effects, so it is easy to test and to fuzz. */

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

#include <fdshmem/fd_shmem.h>

#define CTL_CONF_ALL_NODES ((size_t)-1)
/* Room for one line per type and node, and "all": a file can hold no
   more distinct lines (an equal one is kept once, a different one
   conflicts). */
#define CTL_CONF_PAGES_MAX (2UL*( FD_SHMEM_NUMA_MAX+1UL ))
#define CTL_CONF_LINE_MAX  (8192)  /* a path line of FD_SHMEM_PATH_MAX bytes, blanks and a comment */

typedef struct {
  size_t   page_sz;   /* huge or gigantic */
  size_t   numa;      /* a node, or CTL_CONF_ALL_NODES */
  size_t   cnt;
  unsigned line;
} ctl_conf_pages_t;

/* Keys, as indexes of ctl_conf_t.line_of. */
enum { CTL_CONF_PATH, CTL_CONF_MODE, CTL_CONF_USER, CTL_CONF_GROUP, CTL_CONF_PAGES, CTL_CONF_HEADROOM,
       CTL_CONF_EXCLUSIVE, CTL_CONF_KEY_CNT };

typedef struct {
  char             path[ FD_SHMEM_PATH_MAX+1UL ];   /* tidied (ctl_path_tidy); "" = the current domain */
  unsigned long    mode;
  char             user [ 64 ];    /* "" = leave as is (root) */
  char             group[ 64 ];
  ctl_conf_pages_t pages[ CTL_CONF_PAGES_MAX ];
  size_t           pages_cnt;
  size_t           headroom;   /* bytes each node keeps beside its pools (when line_of says it is set) */
  int              exclusive;  /* the domain's mounts reserve the file's pages for it (fd_shmem_domain_reserve) */
  unsigned         line_of[ CTL_CONF_KEY_CNT ];  /* where each key was first set (0: not) */
  char             err[ PATH_MAX+512 ];  /* "FILE:LINE: what is wrong", whole for any FILE */
} ctl_conf_t;

/* Parses f (named fname in messages) for a machine of numa_cnt nodes.
   Returns 0, or EINVAL with conf->err set. */
int ctl_conf_parse( ctl_conf_t * conf, FILE * f, char const * fname, size_t numa_cnt );

/* 1 if the file sets nothing (every line a comment or blank). */
int ctl_conf_empty( ctl_conf_t const * conf );

/* The pages wanted of type page_sz on node numa, and the line that
   says so: a line naming the node wins over an "all" line of that type
   (equal lines were kept once).  Returns 0 if no line names that node
   or "all". */
int ctl_conf_want( ctl_conf_t const * conf, size_t page_sz, size_t numa, size_t * cnt, unsigned * line );

/* Writes path in one spelling: repeated slashes as one, no trailing
   slash (but "/"), so "/x//dom/" and "/x/dom" compare equal. */
void ctl_path_tidy( char * path );

#endif /* FDSHMEM_SRC_CTL_CTL_CONF_H */

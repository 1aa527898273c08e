/* Reading the provisioning file from disk, for apply, check and
   kernel-cmdline, and checking the names it holds against the line
   and the machine. */

#include "ctl.h"
#include "ctl_conf_read.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* 0 if st is a regular file, else why fname cannot be read. */
static int
regular_file( ctl_t * ctl, char const * fname, struct stat const * st ) {
  if( S_ISREG( st->st_mode ) ) return 0;
  return ctl_fail( ctl, S_ISDIR( st->st_mode ) ? EISDIR : EINVAL, "cannot read %s: %s", fname,
                   S_ISDIR( st->st_mode ) ? "it is a directory" : "not a regular file" );
}

int
ctl_conf_probe( ctl_t * ctl, char const * fname ) {
  struct stat st;
  if( stat( fname, &st ) ) return ctl_fail( ctl, errno, "cannot read %s: %s", fname, strerror( errno ) );
  return regular_file( ctl, fname, &st );
}

int
ctl_conf_read( ctl_t * ctl, ctl_conf_t * conf, char const * fname ) {
  int fd = open( fname, O_RDONLY | O_NONBLOCK | O_CLOEXEC );  /* a FIFO must not hang the boot */
  struct stat st;
  if( fd<0 || fstat( fd, &st ) ) {
    int err = errno;
    if( fd>=0 ) close( fd );
    return ctl_fail( ctl, err, "cannot read %s: %s", fname, strerror( err ) );
  }
  int err = regular_file( ctl, fname, &st );
  FILE * f = err ? NULL : fdopen( fd, "r" );
  if( !f ) {
    if( !err ) err = ctl_fail( ctl, errno, "cannot read %s: %s", fname, strerror( errno ) );
    close( fd );
    return err;
  }
  err = ctl_conf_parse( conf, f, fname, fd_shmem_numa_cnt() );
  fclose( f );
  return err ? ctl_fail( ctl, err, "%s", conf->err ) : 0;
}

/* Checks that the file's user and group exist (root where it names
   none, as init by root leaves them), naming the line of one that does
   not. */
static int
conf_owner( ctl_t * ctl, ctl_conf_t * c, char const * fname ) {
  if( !c->user[0] )  strcpy( c->user, "root" );
  if( !c->group[0] ) strcpy( c->group, "root" );
  unsigned long uid, gid;
  int bad_user  = !!fd_shmem_owner_resolve( c->user, NULL, &uid, &gid );
  int bad_group = !bad_user && fd_shmem_owner_resolve( NULL, c->group, &uid, &gid );
  if( !bad_user && !bad_group ) return 0;
  ctl_warnings_drop_last();  /* the library's "no such user", said again with its line */
  int key = bad_user ? CTL_CONF_USER : CTL_CONF_GROUP;
  return ctl_fail( ctl, EINVAL, "%s:%u: no such %s \"%s\"", fname, c->line_of[ key ], bad_user ? "user" : "group",
                   bad_user ? c->user : c->group );
}

int
ctl_conf_check_names( ctl_t * ctl, ctl_conf_t * conf, char const * fname ) {
  /* The file's path is used for this command only: it never re-points
     the commands after it, and it must agree with a path given on the
     command line or in the environment. */
  char const * path = conf->path;
  char given[ FD_SHMEM_PATH_MAX+1UL ];
  snprintf( given, sizeof(given), "%s", fd_shmem_path() );
  ctl_path_tidy( given );
  if( path[0] && ctl->path_given && strcmp( path, given ) )
    return ctl_fail( ctl, EINVAL, "%s:%u: path %s differs from %s named by the command line or FD_SHMEM_PATH; "
                     "nothing was done", fname, conf->line_of[ CTL_CONF_PATH ], path, given );
  return conf_owner( ctl, conf, fname );
}

/* FILE must be there with the line and read right: a typo in it (or a
   mangled option taken for it) is refused before any command runs, not
   after the commands before it did their work.  The command reads it
   again when it runs. */
int
ctl_parse_conf_file( ctl_t * ctl, char ** argv, ctl_args_t * args, int names ) {
  args->conf.path = args->given ? argv[0] : FD_SHMEM_CONF_PATH;
  if( !args->conf.path[0] ) return ctl_fail( ctl, EINVAL, "FILE must not be empty" );
  int err = ctl_conf_probe( ctl, args->conf.path );
  if( err ) return err;
  ctl_conf_t * conf = malloc( sizeof(ctl_conf_t) );
  if( !conf ) return ctl_fail( ctl, ENOMEM, "out of memory" );
  err = ctl_conf_read( ctl, conf, args->conf.path );
  if( !err && names ) err = ctl_conf_check_names( ctl, conf, args->conf.path );
  free( conf );
  return err;
}

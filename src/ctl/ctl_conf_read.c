/* Reading the provisioning file from disk, for apply, check and
   kernel-cmdline. */

#include "ctl.h"
#include "ctl_conf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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

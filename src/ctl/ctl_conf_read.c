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

int
ctl_conf_read( ctl_t * ctl, ctl_conf_t * conf, char const * fname ) {
  int fd = open( fname, O_RDONLY | O_NONBLOCK | O_CLOEXEC );  /* a FIFO must not hang the boot */
  struct stat st;
  if( fd<0 || fstat( fd, &st ) ) {
    int err = errno;
    if( fd>=0 ) close( fd );
    return ctl_fail( ctl, err, "cannot read %s: %s", fname, strerror( err ) );
  }
  FILE * f = S_ISREG( st.st_mode ) ? fdopen( fd, "r" ) : NULL;
  if( !f ) {
    close( fd );
    return ctl_fail( ctl, EINVAL, "cannot read %s: %s", fname,
                     S_ISDIR( st.st_mode ) ? "it is a directory" : "not a regular file" );
  }
  int err = ctl_conf_parse( conf, f, fname, fd_shmem_numa_cnt() );
  fclose( f );
  return err ? ctl_fail( ctl, err, "%s", conf->err ) : 0;
}

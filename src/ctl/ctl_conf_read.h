#ifndef FDSHMEM_SRC_CTL_CTL_CONF_READ_H
#define FDSHMEM_SRC_CTL_CTL_CONF_READ_H

/* The provisioning file as the tool reads it (ctl_conf_read.c): from
   disk, its names checked against the line and the machine, and as the
   FILE argument of apply, check and kernel-cmdline. */

#include "ctl.h"
#include "ctl_conf.h"

/* Opens fname (a regular file; a FIFO or a directory is refused
   without blocking) and parses it for this machine.  Returns 0, or an
   errno value with ctl->why set ("FILE:LINE: ..." for what the parser
   found). */
int ctl_conf_read( ctl_t * ctl, ctl_conf_t * conf, char const * fname );

/* The type checks of ctl_conf_read by the name alone, so that nothing
   but a regular file is opened (opening a device can do something):
   0, or an errno value with ctl->why set. */
int ctl_conf_probe( ctl_t * ctl, char const * fname );

/* Checks what the file names against the line and the machine, for
   apply and check: a path must agree with the one the command line or
   FD_SHMEM_PATH names; the user and group (root where
   the file names none: conf gets them) must exist.  0, or EINVAL with
   ctl->why naming the file's line. */
int ctl_conf_check_names( ctl_t * ctl, ctl_conf_t * conf, char const * fname );

/* FILE of apply, check (names: its path and owner checked too) and
   kernel-cmdline, read and checked before any command runs. */
int ctl_parse_conf_file( ctl_t * ctl, char ** argv, ctl_args_t * args, int names );

#endif /* FDSHMEM_SRC_CTL_CTL_CONF_READ_H */

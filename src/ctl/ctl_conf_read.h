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

/* The bytes a node of node_bytes keeps beside its hugepage pools: the
   file's headroom where conf (or NULL) sets one, else 1 GiB or 1/32 of
   the node, the larger: the rule of apply, alloc and kernel-cmdline
   (ctl_cmdline.c). */
size_t ctl_headroom( ctl_conf_t const * conf, size_t node_bytes );

#define CTL_POOL_AS_NOW (~0UL)  /* a pool's count as it is */

/* Node numa's memory (MemTotal; 0: no memory, or none to be read) and
   the bytes its hugepage pools take: now, and with each page type t of
   the library's table at want[t] pages (CTL_POOL_AS_NOW, or want NULL:
   as they are); after is more than mem for pages the node cannot hold. */
typedef struct {
  size_t mem, now, after;
} ctl_node_pools_t;
void ctl_node_pools( size_t numa, size_t const * want, ctl_node_pools_t * np );

/* How conf (or NULL) sets keep, the headroom of a node, in words: its
   key and figure, or the default rule (buf holds the words: 64 bytes). */
char const * ctl_headroom_rule( ctl_conf_t const * conf, size_t keep, char * buf, size_t buf_sz );

/* Refuses (E2BIG, ctl->why naming the node, the figures and the key of
   fname) pools of node numa set to want[t] pages of each page type t of
   the library's table (CTL_POOL_AS_NOW: as they are) that grow and
   would leave the node less than its headroom.  0 otherwise. */
int ctl_headroom_check( ctl_t * ctl, ctl_conf_t const * conf, char const * fname, size_t numa, size_t const * want );

/* FILE of apply, check (names: its path and owner checked too) and
   kernel-cmdline, read and checked before any command runs. */
int ctl_parse_conf_file( ctl_t * ctl, char ** argv, ctl_args_t * args, int names );

#endif /* FDSHMEM_SRC_CTL_CTL_CONF_READ_H */

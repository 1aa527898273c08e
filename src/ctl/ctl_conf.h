#ifndef FDSHMEM_SRC_CTL_CTL_CONF_H
#define FDSHMEM_SRC_CTL_CTL_CONF_H

/* The provisioning file (fdshmem.conf(5)): parsed into a plain struct,
   with no side effects, so it is easy to test and to fuzz. */

#include <stddef.h>
#include <stdio.h>

#define CTL_CONF_PAGES_MAX (64)
#define CTL_CONF_ALL_NODES ((size_t)-1)
#define CTL_CONF_LINE_MAX  (1024)

typedef struct {
  size_t   page_sz;   /* huge or gigantic */
  size_t   numa;      /* a node, or CTL_CONF_ALL_NODES */
  size_t   cnt;
  unsigned line;
} ctl_conf_pages_t;

typedef struct {
  char             path[ 4001 ];   /* "" = the current domain */
  unsigned long    mode;
  char             user [ 64 ];    /* "" = leave as is (root) */
  char             group[ 64 ];
  ctl_conf_pages_t pages[ CTL_CONF_PAGES_MAX ];
  size_t           pages_cnt;
  unsigned         line_of[ 4 ];   /* where path, mode, user, group were set (0: not) */
  char             err[ 300 ];     /* "FILE:LINE: what is wrong" */
} ctl_conf_t;

/* Parses f (named fname in messages) for a machine of numa_cnt nodes.
   Returns 0, or EINVAL with conf->err set. */
int ctl_conf_parse( ctl_conf_t * conf, FILE * f, char const * fname, size_t numa_cnt );

#endif /* FDSHMEM_SRC_CTL_CTL_CONF_H */

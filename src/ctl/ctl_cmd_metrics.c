/* "metrics [FILE]": the pools, the domain and its regions, and the
   differences from the provisioning file, in the Prometheus text
   exposition format (what node_exporter's textfile collector reads).
   Every figure comes from the library's public calls.  The text is
   built whole in memory first, so stdout gets all of it or nothing: a
   timer that writes the file never leaves half of it behind. */

#include "ctl.h"
#include "ctl_conf_read.h"
#include "../lib/base/fd_shmem_page_type.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The families, in the order they are written.  Each collects its
   samples in its own buffer, so one walk of the regions fills three
   families and each is still written in one block, as the format asks. */
enum { FAM_POOL, FAM_POOL_RESERVED, FAM_CONF_POOL, FAM_NODE_MEM, FAM_NODE_LEFT, FAM_NODE_KEEP, FAM_DOMAIN,
       FAM_TYPE_STATE, FAM_TYPE_OFFERED, FAM_TYPE_RESERVED, FAM_REGION_BYTES, FAM_REGION_PAGES, FAM_REGION_PROCS,
       FAM_CONF_DIFF, FAM_CNT };

typedef struct {
  char const * name;
  char const * help;
} family_t;

static family_t const families[ FAM_CNT ] = {
  [ FAM_POOL ]         = { "fdshmem_pool_pages",
                           "Pages in a NUMA node's hugepage pool of one page size (bytes), by state: total, free, "
                           "surplus." },
  [ FAM_POOL_RESERVED ] = { "fdshmem_pool_reserved_pages",
                            "Pages of the machine's hugepage pool of one page size (bytes) promised to mappings and "
                            "mounts but not yet used; the kernel counts them for the machine, not per node." },
  [ FAM_CONF_POOL ]    = { "fdshmem_config_pool_pages",
                           "Pages the provisioning file wants in a NUMA node's hugepage pool of one page size "
                           "(bytes)." },
  [ FAM_NODE_MEM ]     = { "fdshmem_node_memory_bytes",
                           "Memory of a NUMA node as the kernel counts it (MemTotal), in bytes." },
  [ FAM_NODE_LEFT ]    = { "fdshmem_node_headroom_bytes",
                           "Memory of a NUMA node its hugepage pools leave (its memory less their pages), in bytes." },
  [ FAM_NODE_KEEP ]    = { "fdshmem_node_headroom_min_bytes",
                           "Memory a NUMA node must keep beside its hugepage pools: the provisioning file's headroom, "
                           "else 1 GiB or 1/32 of the node, the larger; in bytes." },
  [ FAM_DOMAIN ]       = { "fdshmem_domain_exists", "1 if the domain directory exists, else 0." },
  [ FAM_TYPE_STATE ]   = { "fdshmem_domain_type_state",
                           "State of a page type's directory of the domain: 1 for the state it is in, 0 for the "
                           "others." },
  [ FAM_TYPE_OFFERED ] = { "fdshmem_domain_type_offered", "1 if the kernel offers pages of the page type, else 0." },
  [ FAM_TYPE_RESERVED ] = { "fdshmem_domain_reserved_pages",
                            "Pages of the pool a hugetlbfs page type of the domain reserves for its own files "
                            "(exclusive pages), 0 for none." },
  [ FAM_REGION_BYTES ] = { "fdshmem_region_bytes", "Size of a region of the domain in bytes." },
  [ FAM_REGION_PAGES ] = { "fdshmem_region_pages", "Pages of a region of the domain." },
  [ FAM_REGION_PROCS ] = { "fdshmem_region_processes", "Processes that map a region of the domain." },
  [ FAM_CONF_DIFF ]    = { "fdshmem_config_differences",
                           "Differences between the machine and the provisioning file, as fd_shmem_ctl check counts "
                           "them." },
};

/* The state label of fdshmem_domain_type_state for each FD_SHMEM_TYPE_*:
   short fixed words that alerting rules match (the library's words for
   a state are sentences for a person). */
static char const * const type_states[] = {
  [ FD_SHMEM_TYPE_MOUNTED ]   = "mounted",   [ FD_SHMEM_TYPE_MISSING ]       = "missing",
  [ FD_SHMEM_TYPE_UNMOUNTED ] = "unmounted", [ FD_SHMEM_TYPE_WRONG_FS ]      = "wrong_fs",
  [ FD_SHMEM_TYPE_SHARED ]    = "shared",    [ FD_SHMEM_TYPE_WRONG_PAGE_SZ ] = "wrong_page_size",
  [ FD_SHMEM_TYPE_NOT_DIR ]   = "not_dir",
};

typedef struct {
  FILE * body [ FAM_CNT ];  /* NULL: the family is left out */
  char * text [ FAM_CNT ];
  size_t len  [ FAM_CNT ];
  char const * domain;
} metrics_t;

/* A label value as the format wants it: backslash, double quote and
   newline escaped; a byte outside printable ASCII as the text \xHH, as
   the tool writes paths elsewhere, so the value is valid UTF-8 whatever
   the path holds. */
static void
label_value( FILE * f, char const * s ) {
  for( unsigned char const * p=(unsigned char const *)s; *p; p++ ) {
    if     ( *p=='\\' || *p=='"' ) fprintf( f, "\\%c", *p );
    else if( *p=='\n' )            fputs( "\\n", f );
    else if( *p<0x20 || *p>0x7e )  fprintf( f, "\\\\x%02x", *p );
    else                           fputc( *p, f );
  }
}

/* Starts a sample of family fam: its name and first label key="value"
   (then label() for more, and value() to end it). */
static FILE *
sample( metrics_t * m, int fam, char const * key, char const * val ) {
  FILE * f = m->body[ fam ];
  fprintf( f, "%s{%s=\"", families[ fam ].name, key );
  label_value( f, val );
  fputc( '"', f );
  return f;
}

static void
label( FILE * f, char const * key, char const * val ) {
  fprintf( f, ",%s=\"", key );
  label_value( f, val );
  fputc( '"', f );
}

static void
value( FILE * f, size_t v ) {
  fprintf( f, "} %zu\n", v );
}

static void
pool_sample( metrics_t * m, int fam, char const * node, char const * size, char const * state, size_t v ) {
  FILE * f = sample( m, fam, "node", node );
  label( f, "size", size );
  if( state ) label( f, "state", state );
  value( f, v );
}

/* Each page type with a pool (the table's), on each node. */
static int
metrics_pools( ctl_t * ctl, metrics_t * m, ctl_conf_t const * conf ) {
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) {
    size_t page_sz = fd_shmem_private_page_type[ t ].page_sz;
    if( !fd_shmem_private_page_type[ t ].sys_dir ) continue;  /* normal pages: no pool */
    char size[ 24 ];
    snprintf( size, sizeof(size), "%zu", page_sz );
    size_t reserved;
    int err = fd_shmem_pool_reserved( page_sz, &reserved );
    if( err && err!=EOPNOTSUPP )
      return ctl_fail( ctl, err, "cannot read the reserved %s pages: %s", fd_shmem_page_sz_to_cstr( page_sz ),
                       strerror( ctl_real_err( err ) ) );
    if( !err ) { FILE * f = sample( m, FAM_POOL_RESERVED, "size", size ); value( f, reserved ); }
    for( size_t n=0UL; n<fd_shmem_numa_cnt(); n++ ) {
      char node[ 24 ];
      snprintf( node, sizeof(node), "%zu", n );
      size_t want; unsigned line;
      if( conf && ctl_conf_want( conf, page_sz, n, &want, &line ) )
        pool_sample( m, FAM_CONF_POOL, node, size, NULL, want );
      fd_shmem_pool_info_t p;
      err = fd_shmem_pool_query( page_sz, n, &p );
      if( err==EOPNOTSUPP || err==ENODEV ) continue;  /* no such page size; a node the kernel has no pool on */
      if( err ) return ctl_fail( ctl, err, "cannot read node %zu's pool of %s pages: %s", n,
                                 fd_shmem_page_sz_to_cstr( page_sz ), strerror( ctl_real_err( err ) ) );
      pool_sample( m, FAM_POOL, node, size, "total",   p.total   );
      pool_sample( m, FAM_POOL, node, size, "free",    p.free    );
      pool_sample( m, FAM_POOL, node, size, "surplus", p.surplus );
    }
  }
  return 0;
}

/* Each node with memory: its memory, what its pools leave of it, and
   what it keeps by the rule of apply and alloc (ctl_headroom). */
static void
metrics_nodes( metrics_t * m, ctl_conf_t const * conf ) {
  for( size_t n=0UL; n<fd_shmem_numa_cnt(); n++ ) {
    ctl_node_pools_t np;
    ctl_node_pools( n, NULL, &np );
    if( !np.mem ) continue;  /* no memory, no pools: nothing to keep */
    char node[ 24 ];
    snprintf( node, sizeof(node), "%zu", n );
    value( sample( m, FAM_NODE_MEM, "node", node ), np.mem );
    value( sample( m, FAM_NODE_LEFT, "node", node ), np.now<np.mem ? np.mem-np.now : 0UL );
    value( sample( m, FAM_NODE_KEEP, "node", node ), ctl_headroom( conf, np.mem ) );
  }
}

static int
metrics_region( void * ctx, fd_shmem_region_info_t const * r ) {
  metrics_t * m = ctx;
  if( !r->valid ) return 0;  /* a leftover, a stray file: no region */
  int    const fams[] = { FAM_REGION_BYTES, FAM_REGION_PAGES, FAM_REGION_PROCS };
  size_t const vals[] = { r->sz, r->page_cnt, r->map_cnt };
  for( size_t i=0UL; i<3UL; i++ ) {
    FILE * f = sample( m, fams[i], "domain", m->domain );
    label( f, "name", r->name );
    label( f, "type", fd_shmem_page_sz_to_cstr( r->page_sz ) );
    value( f, vals[i] );
  }
  return 0;
}

/* Why the domain at path could not be read: the library's reason, else errno's. */
static int
domain_unreadable( ctl_t * ctl, int err, char const * what, char const * path ) {
  if( ctl_reason_words( err )[0] ) {
    err = ctl_fail( ctl, err, "%s", ctl_reason_words( err ) );
    ctl_warnings_drop_last();
    return err;
  }
  return ctl_fail( ctl, err, "cannot read %s %s: %s", what, path, strerror( ctl_real_err( err ) ) );
}

static int
metrics_domain( ctl_t * ctl, metrics_t * m ) {
  fd_shmem_domain_info_t info;
  int err = fd_shmem_domain_describe( m->domain, &info );
  if( err ) return domain_unreadable( ctl, err, "domain", m->domain );
  value( sample( m, FAM_DOMAIN, "domain", m->domain ), (size_t)!!info.exists );
  if( !info.exists ) return 0;  /* no page types, no regions: their families stay empty */
  for( int t=0; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) {
    fd_shmem_type_info_t const * ti = &info.type[ t ];
    char const * type = fd_shmem_page_sz_to_cstr( ti->page_sz );
    for( int s=0; s<(int)(sizeof(type_states)/sizeof(type_states[0])); s++ ) {
      FILE * f = sample( m, FAM_TYPE_STATE, "domain", m->domain );
      label( f, "type", type );
      label( f, "state", type_states[s] );
      value( f, (size_t)( ti->state==s ) );
    }
    FILE * f = sample( m, FAM_TYPE_OFFERED, "domain", m->domain );
    label( f, "type", type );
    value( f, (size_t)!!ti->offered );
    size_t reserved;
    if( !fd_shmem_private_page_type[ t ].sys_dir ) continue;  /* normal pages: no pool to reserve from */
    err = fd_shmem_domain_reserved( m->domain, ti->page_sz, &reserved );
    if( err ) return domain_unreadable( ctl, err, "domain", m->domain );
    f = sample( m, FAM_TYPE_RESERVED, "domain", m->domain );
    label( f, "type", type );
    value( f, reserved );
  }
  err = fd_shmem_domain_regions( m->domain, metrics_region, m );
  return err ? domain_unreadable( ctl, err, "the regions of domain", m->domain ) : 0;
}

/* The differences check counts, without a label: one file, one figure. */
static int
metrics_conf_diff( ctl_t * ctl, metrics_t * m, char const * fname ) {
  size_t cnt;
  int err = ctl_check_differences( ctl, fname, &cnt );
  if( err ) return err;
  fprintf( m->body[ FAM_CONF_DIFF ], "%s %zu\n", families[ FAM_CONF_DIFF ].name, cnt );
  return 0;
}

/* Opens a buffer for each family written: those of the file only with one. */
static int
metrics_open( ctl_t * ctl, metrics_t * m, int with_conf ) {
  for( int i=0; i<FAM_CNT; i++ ) {
    if( !with_conf && ( i==FAM_CONF_POOL || i==FAM_CONF_DIFF ) ) continue;
    m->body[i] = open_memstream( &m->text[i], &m->len[i] );
    if( !m->body[i] ) return ctl_fail( ctl, ENOMEM, "out of memory" );
  }
  return 0;
}

/* Closes the buffers; with ok, writes each family whole to out: HELP,
   TYPE, then its samples (a family with none still says what it is). */
static int
metrics_close( ctl_t * ctl, metrics_t * m, FILE * out, int ok ) {
  int err = 0;
  for( int i=0; i<FAM_CNT; i++ ) {
    if( !m->body[i] ) continue;
    if( fclose( m->body[i] ) && !err ) err = ctl_fail( ctl, ENOMEM, "out of memory" );
    if( ok && !err ) {
      fprintf( out, "# HELP %s %s\n# TYPE %s gauge\n", families[i].name, families[i].help, families[i].name );
      if( m->text[i] ) fwrite( m->text[i], 1UL, m->len[i], out );
    }
    free( m->text[i] );
  }
  return err;
}

int
ctl_cmd_metrics( ctl_t * ctl, ctl_args_t const * args ) {
  char const * fname = args->conf.path;  /* NULL: no file */
  static ctl_conf_t conf;  /* big: kept off the stack */
  char domain[ FD_SHMEM_PATH_MAX+1UL ];
  snprintf( domain, sizeof(domain), "%s", fd_shmem_path() );
  int err = fname ? ctl_conf_read( ctl, &conf, fname ) : 0;
  if( err ) return err;
  if( fname && conf.path[0] ) snprintf( domain, sizeof(domain), "%s", conf.path );  /* the domain check looks at */
  ctl_path_tidy( domain );
  metrics_t m = { .domain = domain };
  err = metrics_open( ctl, &m, !!fname );
  if( !err ) err = metrics_pools( ctl, &m, fname ? &conf : NULL );
  if( !err ) metrics_nodes( &m, fname ? &conf : NULL );
  if( !err ) err = metrics_domain( ctl, &m );
  if( !err && fname ) err = metrics_conf_diff( ctl, &m, fname );
  char * text = NULL;
  size_t len  = 0UL;
  FILE * out  = err ? NULL : open_memstream( &text, &len );
  if( !err && !out ) err = ctl_fail( ctl, ENOMEM, "out of memory" );
  int close_err = metrics_close( ctl, &m, out, !err );
  if( !err ) err = close_err;
  if( out && fclose( out ) && !err ) err = ctl_fail( ctl, ENOMEM, "out of memory" );
  if( !err ) fwrite( text, 1UL, len, stdout );
  free( text );
  return err;
}

/* ---- the arguments ---- */

/* metrics [FILE]: FILE read and checked as for check.  Without FILE the
   default file is used when it exists; when it does not, the families
   of the file are left out (args->conf.path NULL). */
int
ctl_parse_metrics( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  struct stat st;
  if( !args->given && stat( FD_SHMEM_CONF_PATH, &st ) && errno==ENOENT ) {
    args->conf.path = NULL;
    return 0;
  }
  return ctl_parse_conf( ctl, argv, args );
}

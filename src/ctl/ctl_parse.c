/* Argument parsing for fd_shmem_ctl: each command's arguments (the
   strict values are in ctl_words.c). */

#include "ctl.h"
#include "ctl_conf.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- each command's arguments ---- */

#define BAD_NAME    "bad region name (1-39 of A-Z a-z 0-9 _ . -, starting with a letter or digit)"
#define BAD_PAGE_SZ "PAGE_SZ must be 0 (any), normal, huge, gigantic, a size such as 2M or 1G, or the size in bytes"
#define SHOWN_MAX   (80)  /* bytes of a bad argument quoted back */

/* Fails naming the argument what, its value (escaped) and problem
   (which reads after the value, or starts with ':'). */
static int
bad_arg( ctl_t * ctl, char const * what, char const * s, char const * problem ) {
  char buf[ SHOWN_MAX+4 ];
  return ctl_fail( ctl, EINVAL, "%s \"%s\"%s%s", what, ctl_cut( s, buf, sizeof(buf) ),
                   problem[0]==':' ? "" : " ", problem );
}

/* A '-' and a digit: the option parser passed it on as a word, for
   the value's own name to refuse it. */
static int
negative( char const * s ) {
  return s[0]=='-' && isdigit( (unsigned char)s[1] );
}

/* Refuses s, a negative number, as not a noun. */
static int
bad_negative( ctl_t * ctl, char const * what, char const * s, char const * noun ) {
  char problem[ 64 ];
  snprintf( problem, sizeof(problem), "is not a %s: numbers cannot be negative", noun );
  return bad_arg( ctl, what, s, problem );
}

static int
parse_count( ctl_t * ctl, char const * what, char const * noun, char const * s, size_t * out ) {
  if( negative( s ) ) return bad_negative( ctl, what, s, noun );
  char const * problem = ctl_dec_problem( s, out );
  return problem ? bad_arg( ctl, what, s, problem ) : 0;
}

static int
parse_mode( ctl_t * ctl, char const * what, char const * s, unsigned long * mode ) {
  if( negative( s ) ) return bad_negative( ctl, what, s, "mode" );
  int err = ctl_parse_octal( s, mode, 07777UL );
  if( err==ERANGE ) return bad_arg( ctl, what, s, "is too large (octal permissions, at most 7777)" );
  if( err ) return bad_arg( ctl, what, s, "is not octal permissions (e.g. 600)" );
  return 0;
}

/* The library is asked quietly while the line is checked: the parser
   names the argument and says what is wrong itself. */
static int
quiet_begin( void ) {
  return fd_shmem_set_log_level( FD_SHMEM_LOG_NONE );
}

static void
quiet_end( int level ) {
  fd_shmem_set_log_level( level );
}

/* 1 unless the kernel is known to offer no pages of page_sz: no node
   has a pool of that size. */
static int
page_sz_offered( size_t page_sz ) {
  if( page_sz==FD_SHMEM_NORMAL_PAGE_SZ ) return 1;
  fd_shmem_pool_info_t info;
  for( size_t n=0UL; n<fd_shmem_numa_cnt(); n++ )
    if( fd_shmem_pool_query( page_sz, n, &info )!=EOPNOTSUPP ) return 1;
  return 0;
}

static int
not_offered( ctl_t * ctl, char const * what, char const * s, size_t page_sz ) {
  return ctl_fail( ctl, EINVAL, "%s \"%s\": this kernel offers no %s pages", what, s,
                   fd_shmem_page_sz_to_cstr( page_sz ) );
}

/* PAGE_SZ where "0" means any type. */
static int
parse_page_sz_or_any( char const * s, size_t * page_sz ) {
  if( !strcmp( s, "0" ) ) { *page_sz = 0UL; return 0; }
  *page_sz = ctl_page_sz( s );
  return *page_sz ? 0 : EINVAL;
}

int
ctl_parse_numa( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  return parse_count( ctl, "NUMA", "node number", argv[0], &args->topo.idx );
}

int
ctl_parse_cpu( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  return parse_count( ctl, "CPU", "cpu number", argv[0], &args->topo.idx );
}

/* What is wrong with the numbers of a cpu sequence, NULL if nothing:
   the library reads each as decimal, the original tool read 010 as
   octal (refused here, as in counts), and a number past 64 bits is too
   large rather than malformed. */
static char const *
cpu_seq_number_problem( char const * s ) {
  for( char const * p=s; *p; ) {
    size_t digits = strspn( p, "0123456789" ), v;
    if( !digits ) { p++; continue; }
    char num[ 32 ];
    if( digits>=sizeof(num) ) return "has a number too large";
    memcpy( num, p, digits );
    num[ digits ] = '\0';
    char const * problem = ctl_dec_problem( num, &v );
    if( problem && num[0]=='0' ) return "has a number with a leading zero (octal or decimal?): write it without";
    if( problem ) return "has a number too large";
    p += digits;
  }
  return NULL;
}

/* Reads s into cpu_idx (room for FD_SHMEM_CPU_MAX) and *cpu_cnt. */
static int
parse_cpu_seq( ctl_t * ctl, char const * s, size_t * cpu_idx, size_t * cpu_cnt ) {
  if( negative( s ) ) return bad_negative( ctl, "CPU_SEQ", s, "cpu sequence" );
  char const * problem = cpu_seq_number_problem( s );
  if( problem ) return bad_arg( ctl, "CPU_SEQ", s, problem );
  int err = fd_shmem_cpu_seq_parse( s, cpu_idx, FD_SHMEM_CPU_MAX, cpu_cnt );
  if( err==E2BIG ) return bad_arg( ctl, "CPU_SEQ", s, "names more cpus than a region may span" );
  if( err ) return bad_arg( ctl, "CPU_SEQ", s, "is not a cpu sequence (e.g. 0, 0-3, 0-7/2, 1,3)" );
  for( size_t i=0UL; i<*cpu_cnt; i++ )
    if( cpu_idx[i]>=fd_shmem_cpu_cnt() )
      return ctl_fail( ctl, EINVAL, "cpu %zu does not exist (%zu cpus)", cpu_idx[i], fd_shmem_cpu_cnt() );
  return 0;
}

/* NAME PAGE_CNT PAGE_SZ. */
static int
parse_create_sizes( ctl_t * ctl, char ** argv, ctl_create_args_t * a ) {
  a->name    = argv[0];
  a->page_sz = ctl_page_sz( argv[2] );
  if( !fd_shmem_name_len( a->name ) ) return ctl_fail( ctl, EINVAL, BAD_NAME );
  int err = parse_count( ctl, "PAGE_CNT", "count", argv[1], &a->page_cnt );
  if( err ) return err;
  if( !a->page_cnt ) return bad_arg( ctl, "PAGE_CNT", argv[1], "must be at least 1" );
  if( !a->page_sz )
    return bad_arg( ctl, "PAGE_SZ", argv[2],
                    "is not a page size (normal, huge, gigantic, 4k, 2M, 1G or the size in bytes)" );
  if( a->page_cnt > (size_t)LONG_MAX/a->page_sz )  /* the most a file may hold */
    return ctl_fail( ctl, EINVAL, "PAGE_CNT \"%s\" is too large (at most %zu %s pages)", argv[1],
                     (size_t)LONG_MAX/a->page_sz, fd_shmem_page_sz_to_cstr( a->page_sz ) );
  if( !page_sz_offered( a->page_sz ) ) return not_offered( ctl, "PAGE_SZ", argv[2], a->page_sz );
  return 0;
}

/* The cpus are kept for the command (args->owned): it creates the
   region over exactly what was checked here. */
int
ctl_parse_create( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  ctl_create_args_t * a = &args->create;
  a->cpu_seq = argv[3];
  int err = parse_create_sizes( ctl, argv, a );
  if( err ) return err;
  size_t * cpu_idx = malloc( FD_SHMEM_CPU_MAX*sizeof(size_t) );
  if( !cpu_idx ) return ctl_fail( ctl, ENOMEM, "out of memory" );
  err = parse_cpu_seq( ctl, a->cpu_seq, cpu_idx, &a->cpu_cnt );
  if( !err ) err = parse_mode( ctl, "MODE", argv[4], &a->mode );
  if( err ) { free( cpu_idx ); return err; }
  a->cpu_idx = args->owned = cpu_idx;
  return 0;
}

/* NAME PAGE_SZ of unlink. */
int
ctl_parse_region( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  args->region.name = argv[0];
  if( !fd_shmem_name_len( args->region.name ) ) return ctl_fail( ctl, EINVAL, BAD_NAME );
  if( parse_page_sz_or_any( argv[1], &args->region.page_sz ) ) return ctl_fail( ctl, EINVAL, BAD_PAGE_SZ );
  return 0;
}

/* query [NAME PAGE_SZ]: a bad NAME is an answer (its error is printed),
   a bad PAGE_SZ is not. */
int
ctl_parse_query( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  if( !args->given ) return 0;
  args->region.name = argv[0];
  if( parse_page_sz_or_any( argv[1], &args->region.page_sz ) ) return ctl_fail( ctl, EINVAL, BAD_PAGE_SZ );
  return 0;
}

/* USER and GROUP: names or ids that exist ("": unchanged). */
static int
parse_owner( ctl_t * ctl, char const * user, char const * group ) {
  unsigned long uid, gid;
  int level = quiet_begin();
  int bad_user  = !!fd_shmem_owner_resolve( user, NULL, &uid, &gid );
  int bad_group = !bad_user && fd_shmem_owner_resolve( NULL, group, &uid, &gid );
  quiet_end( level );
  if( bad_user )  return bad_arg( ctl, "USER", user, ": no such user" );
  if( bad_group ) return bad_arg( ctl, "GROUP", group, ": no such group" );
  return 0;
}

int
ctl_parse_init( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  args->init.user  = argv[1];
  args->init.group = argv[2];
  int err = parse_mode( ctl, "PERM", argv[0], &args->init.perm );
  return err ? err : parse_owner( ctl, args->init.user, args->init.group );
}

/* TYPE NUMA of alloc and free: a node the machine has, with a pool of
   that type.  *now gets the pool (a sysfs file the library cannot read
   is left for the command to report). */
static int
parse_pool( ctl_t * ctl, char ** argv, ctl_pool_args_t * a, fd_shmem_pool_info_t * now ) {
  int err = ctl_parse_pool_type( argv[0], &a->page_sz );
  if( err ) return bad_arg( ctl, "TYPE", argv[0], ctl_pool_type_problem( err ) );
  err = parse_count( ctl, "NUMA", "node number", argv[1], &a->numa_idx );
  if( err ) return err;
  size_t numa_cnt = fd_shmem_numa_cnt();
  err = a->numa_idx<numa_cnt ? fd_shmem_pool_query( a->page_sz, a->numa_idx, now ) : ENODEV;
  if( err==ENODEV )
    return ctl_fail( ctl, EINVAL, "NUMA \"%s\": there is no NUMA node %zu (the machine has %zu node%s)", argv[1],
                     a->numa_idx, numa_cnt, numa_cnt==1UL ? "" : "s" );
  if( err==EOPNOTSUPP && !page_sz_offered( a->page_sz ) ) return not_offered( ctl, "TYPE", argv[0], a->page_sz );
  if( err==EOPNOTSUPP )
    return ctl_fail( ctl, EINVAL, "NUMA \"%s\": node %zu has no pool of %s pages", argv[1], a->numa_idx,
                     fd_shmem_page_sz_to_cstr( a->page_sz ) );
  if( err ) memset( now, 0, sizeof(*now) );
  return 0;
}

/* Whether a->cnt pages fit in the node's memory, by the library's own
   rule (asked as a dry run; only a grow can be too large). */
static int
check_fits( ctl_t * ctl, char const * word, ctl_pool_args_t const * a, fd_shmem_pool_info_t const * now ) {
  if( a->cnt<=now->total ) return 0;
  int level = quiet_begin(), was = fd_shmem_set_dry_run( 1 );
  int err = fd_shmem_pool_alloc( a->page_sz, a->cnt, a->numa_idx, NULL );
  fd_shmem_set_dry_run( was );
  quiet_end( level );
  if( err!=E2BIG ) return 0;
  return ctl_fail( ctl, EINVAL, "CNT \"%s\": %zu %s pages need more memory than node %zu has (%zu MiB)", word,
                   a->cnt, fd_shmem_page_sz_to_cstr( a->page_sz ), a->numa_idx, now->node_bytes>>20 );
}

int
ctl_parse_alloc( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  fd_shmem_pool_info_t now;
  int err = parse_count( ctl, "CNT", "count", argv[0], &args->pool.cnt );
  if( !err ) err = parse_pool( ctl, argv+1, &args->pool, &now );
  return err ? err : check_fits( ctl, argv[0], &args->pool, &now );
}

int
ctl_parse_free( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  fd_shmem_pool_info_t now;
  args->pool.cnt = 0UL;
  return parse_pool( ctl, argv, &args->pool, &now );
}

/* FILE must be there with the line and read right: a typo in it (or a
   mangled option taken for it) is refused before any command runs, not
   after the commands before it did their work.  The command reads it
   again when it runs. */
static int
parse_conf( ctl_t * ctl, char ** argv, ctl_args_t * args, int names ) {
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

/* kernel-cmdline [FILE]: the file. */
int
ctl_parse_file( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  return parse_conf( ctl, argv, args, 0 );
}

/* apply [FILE], check [FILE]: the file, its path against the one the
   line names, and its user and group. */
int
ctl_parse_conf( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  return parse_conf( ctl, argv, args, 1 );
}

/* "query": the domain report, as a table for a person or as JSON.  The
   report is built whole in memory first: JSON reaches stdout complete or
   not at all (a failure then leaves the error object of ctl_json.c). */

#include "ctl.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static size_t const pool_types[] = { FD_SHMEM_HUGE_PAGE_SZ, FD_SHMEM_GIGANTIC_PAGE_SZ };

/* name if the id has one, else the id in decimal, in buf. */
static char const *
id_name( char const * name, unsigned long id, char * buf, size_t sz ) {
  if( name ) return name;
  snprintf( buf, sz, "%lu", id );
  return buf;
}

static char const *
user_name( unsigned long uid, char * buf, size_t sz ) {
  struct passwd * pw = getpwuid( (uid_t)uid );
  return id_name( pw ? pw->pw_name : NULL, uid, buf, sz );
}

static char const *
group_name( unsigned long gid, char * buf, size_t sz ) {
  struct group * gr = getgrgid( (gid_t)gid );
  return id_name( gr ? gr->gr_name : NULL, gid, buf, sz );
}

static void
report_pools( ctl_t const * ctl, FILE * out ) {
  size_t numa_cnt = fd_shmem_numa_cnt();
  int first = 1;
  if( ctl->json ) fprintf( out, "  \"pools\": [" );
  else            fprintf( out, "%-9s %5s %8s %8s %8s\n", "pool", "node", "total", "free", "surplus" );
  for( size_t t=0UL; t<sizeof(pool_types)/sizeof(pool_types[0]); t++ ) {
    char const * type = fd_shmem_page_sz_to_cstr( pool_types[t] );
    for( size_t n=0UL; n<numa_cnt; n++ ) {
      fd_shmem_pool_info_t p;
      int err = fd_shmem_pool_query( pool_types[t], n, &p );
      if( err==EOPNOTSUPP ) {
        if( !ctl->json && !n ) fprintf( out, "%-9s %5s %s\n", type, "-", "(not offered by this kernel)" );
        break;
      }
      if( err ) continue;  /* a node without memory */
      if( ctl->json )
        fprintf( out, "%s\n    { \"type\": \"%s\", \"node\": %zu, \"total\": %zu, \"free\": %zu, \"surplus\": %zu }",
                 first ? "" : ",", type, n, p.total, p.free, p.surplus );
      else fprintf( out, "%-9s %5zu %8zu %8zu %8zu\n", type, n, p.total, p.free, p.surplus );
      first = 0;
    }
  }
  if( ctl->json ) fprintf( out, "%s],\n", first ? "" : "\n  " );
}

typedef struct { ctl_t const * ctl; FILE * out; size_t cnt; } region_walk_t;

static int
report_region( void * ctx, fd_shmem_region_info_t const * r ) {
  region_walk_t * w = ctx;
  FILE * out = w->out;
  char ub[ 24 ], gb[ 24 ];
  char const * user  = user_name( r->uid, ub, sizeof(ub) );
  char const * group = group_name( r->gid, gb, sizeof(gb) );
  char const * type  = fd_shmem_page_sz_to_cstr( r->page_sz );
  if( w->ctl->json ) {
    fprintf( out, "%s\n    { \"name\": ", w->cnt ? "," : "" );
    ctl_json_str( out, r->name );
    fprintf( out, ", \"type\": \"%s\", \"pages\": %zu, \"bytes\": %zu, \"user\": ", type, r->page_cnt, r->sz );
    ctl_json_str( out, user );
    fprintf( out, ", \"group\": " );
    ctl_json_str( out, group );
    fprintf( out, ", \"mode\": \"%04lo\", \"processes\": %zu, \"valid\": %s, \"leftover\": %s }", r->mode,
             r->map_cnt, r->valid ? "true" : "false", r->leftover ? "true" : "false" );
  } else {
    char name[ 4*sizeof(r->name) ];
    char const * note = r->leftover ? "  (leftover of an interrupted create; reset removes it)" :
                        r->valid    ? "" : "  (not a valid region)";
    fprintf( out, "%-39s %-8s %8zu %12zu %8s %8s %04lo %5zu%s\n", ctl_printable( r->name, name, sizeof(name) ), type,
             r->page_cnt, r->sz, user, group, r->mode, r->map_cnt, note );
  }
  w->cnt++;
  return 0;
}

/* Each page type's state, and the pages a hugetlbfs one reserves for
   the domain (exclusive): a line for a person, an object for JSON. */
static void
report_types( ctl_t const * ctl, FILE * out, char const * path, fd_shmem_domain_info_t const * info ) {
  if( ctl->json ) fprintf( out, "  \"types\": [" );
  for( int t=0; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) {
    fd_shmem_type_info_t const * ti = &info->type[ t ];
    char const * type  = fd_shmem_page_sz_to_cstr( ti->page_sz );
    char const * state = fd_shmem_type_state_cstr( ti->state );
    size_t reserved = 0UL;
    int    has_pool = ti->page_sz!=FD_SHMEM_NORMAL_PAGE_SZ;
    if( has_pool && fd_shmem_domain_reserved( path, ti->page_sz, &reserved ) ) reserved = 0UL;  /* as describe saw */
    if( ctl->json ) {
      fprintf( out, "%s\n    { \"type\": \"%s\", \"state\": \"%s\", \"offered\": %s", t ? "," : "", type, state,
               ti->offered ? "true" : "false" );
      if( has_pool ) fprintf( out, ", \"reserved_pages\": %zu", reserved );
      fprintf( out, " }" );
      continue;
    }
    if( ti->state==FD_SHMEM_TYPE_MISSING && !ti->offered ) state = "absent (not offered by this kernel)";
    fprintf( out, "  .%-9s %s", type, state );
    if( reserved ) fprintf( out, ", reserves %zu page%s", reserved, reserved==1UL ? "" : "s" );
    fprintf( out, "%s\n", ti->state==FD_SHMEM_TYPE_MOUNTED || !ti->offered ? "" : "  (see: fd_shmem_ctl apply)" );
  }
  if( ctl->json ) fprintf( out, "\n  ],\n" );
}

/* ---- what the domain commands would refuse, and why ---- */

/* bit i: FD_SHMEM_OP_* (apply refuses what the library's repair does) */
static char const * const refusers[] = { "fini", "reset", "apply" };

typedef struct { ctl_t const * ctl; FILE * out; size_t cnt; } problem_list_t;

/* One thing (type: in that page-type directory, NULL: in the domain
   directory) that makes the commands of refused_by refuse the domain,
   what is wrong and what to do: a line for a person ("fini and apply
   refuse"), an object for JSON. */
static void
problem( problem_list_t * l, char const * type, char const * what, unsigned refused_by, char const * fix ) {
  FILE * out = l->out;
  size_t n = 0UL, cnt = (size_t)__builtin_popcount( refused_by );
  if( l->ctl->json ) {
    fprintf( out, "%s\n    { \"where\": \".%s\", \"what\": \"%s\", \"refused_by\": [", l->cnt ? "," : "",
             type ? type : "", what );  /* "." alone: the domain directory */
  } else {
    fprintf( out, "  problem: %s%s%s%s: ", type ? "." : "", type ? type : "", type ? " " : "", what );
  }
  for( size_t i=0UL; i<sizeof(refusers)/sizeof(refusers[0]); i++ ) {
    if( !( refused_by & ( 1U<<i ) ) ) continue;
    char const * sep = !n ? "" : l->ctl->json ? ", " : n+1UL==cnt ? " and " : ", ";
    fprintf( out, l->ctl->json ? "%s\"%s\"" : "%s%s", sep, refusers[i] );
    n++;
  }
  if( l->ctl->json ) fprintf( out, "], \"remedy\": \"%s\" }", fix );
  else               fprintf( out, " refuse%s the domain (%s)\n", cnt==1UL ? "s" : "", fix );
  l->cnt++;
}

/* A page type's remedy (FD_SHMEM_REMEDY_*), in the commands' words. */
static char const *
type_remedy( int remedy ) {
  switch( remedy ) {
  case FD_SHMEM_REMEDY_REPAIR: return "apply mounts it";
  case FD_SHMEM_REMEDY_EMPTY:  return "move its files out, then apply or fini";
  case FD_SHMEM_REMEDY_RMDIR:  return "this kernel offers no such pages: remove the empty directory, or fini";
  default:                     return "unmount or remove it by hand: no command touches it";
  }
}

/* What the library says fini, reset and apply refuse in the domain
   (fd_shmem_domain_refusals), and what clears it. */
static void
report_problems( ctl_t const * ctl, FILE * out, fd_shmem_domain_info_t const * info ) {
  problem_list_t l = { ctl, out, 0UL };
  fd_shmem_domain_refusals_t r;
  fd_shmem_domain_refusals( info, &r );
  if( ctl->json ) fprintf( out, "  \"others\": %s,\n  \"problems\": [", info->others ? "true" : "false" );
  for( int t=0; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) {
    fd_shmem_type_info_t const * ti = &info->type[ t ];
    if( !r.type[ t ].refused_by ) continue;
    char what[ 128 ];
    if( ti->state==FD_SHMEM_TYPE_UNMOUNTED )
      snprintf( what, sizeof(what), "is not mounted%s", ti->empty ? "" : " and holds files" );
    else snprintf( what, sizeof(what), "is %s", fd_shmem_type_state_cstr( ti->state ) );
    problem( &l, fd_shmem_page_sz_to_cstr( ti->page_sz ), what, r.type[ t ].refused_by,
             type_remedy( r.type[ t ].remedy ) );
  }
  if( r.bare.refused_by )
    problem( &l, NULL, "it has no page-type directory", r.bare.refused_by, "apply mounts them, fini removes it" );
  if( r.others.refused_by )
    problem( &l, NULL, "it holds files beside the page-type directories", r.others.refused_by,
             "move them out of the domain directory" );
  if( ctl->json ) fprintf( out, "%s],\n", l.cnt ? "\n  " : "" );
}

/* ctl->why for a domain that cannot be read: which path, why, what to do. */
static int
unreadable( ctl_t * ctl, int err, char const * path, char const * what ) {
  int real = ctl_real_err( err );
  if( err==EINVAL && ctl_reason_words( err )[0] ) {  /* the library named why the path is no domain */
    err = ctl_fail( ctl, err, "%s", ctl_reason_words( err ) );
    ctl_warnings_drop_last();
    return err;
  }
  if( err==ENOTDIR )
    return ctl_fail( ctl, err, "domain %s is a symbolic link or not a directory (a domain is a directory)", path );
  if( ( real==EACCES || real==EPERM ) && geteuid() )
    return ctl_fail( ctl, err, "cannot read %s %s: %s (run as root, or as a user the domain lets in)", what, path,
                     strerror( real ) );
  char const * fix = ctl_remedy( real );
  return ctl_fail( ctl, err, "cannot read %s %s: %s%s%s%s", what, path, strerror( real ), fix ? " (" : "",
                   fix ? fix : "", fix ? ")" : "" );
}

static int
report( ctl_t * ctl, FILE * out ) {
  char const * path = fd_shmem_path();
  if( ctl->json ) { fprintf( out, "{\n  \"domain\": " ); ctl_json_str( out, path ); fprintf( out, ",\n" ); }
  report_pools( ctl, out );
  fd_shmem_domain_info_t info;
  int err = fd_shmem_domain_describe( path, &info );
  if( err ) return unreadable( ctl, err, path, "domain" );
  int exists = info.exists;
  if( ctl->json ) fprintf( out, "  \"exists\": %s,\n", exists ? "true" : "false" );
  else {
    fprintf( out, "\ndomain " );
    ctl_put_safe( out, path );  /* bytes outside printable ASCII as \xHH */
    fprintf( out, "%s\n", exists ? "" : ": does not exist" );
  }
  if( exists ) { report_types( ctl, out, path, &info ); report_problems( ctl, out, &info ); }
  if( ctl->json ) fprintf( out, "  \"regions\": [" );
  region_walk_t w = { ctl, out, 0UL };
  if( exists && !ctl->json )
    fprintf( out, "%-39s %-8s %8s %12s %8s %8s %4s %5s\n",
             "region", "type", "pages", "bytes", "owner", "group", "mode", "procs" );
  err = exists ? fd_shmem_domain_regions( path, report_region, &w ) : 0;
  if( err ) return unreadable( ctl, err, path, "the regions of domain" );
  if( ctl->json ) fprintf( out, "%s]\n}\n", w.cnt ? "\n  " : "" );
  else if( exists && !w.cnt ) fprintf( out, "(no regions)\n" );
  return 0;
}

int
ctl_report( ctl_t * ctl ) {
  char * text = NULL;
  size_t len  = 0UL;
  FILE * out  = open_memstream( &text, &len );
  if( !out ) return ctl_fail( ctl, ENOMEM, "out of memory" );
  int err = report( ctl, out );
  if( fclose( out ) && !err ) err = ctl_fail( ctl, ENOMEM, "out of memory" );
  if( text && ( !err || !ctl->json ) ) fwrite( text, 1UL, len, stdout );  /* text: the part read before a failure */
  free( text );
  return err;
}

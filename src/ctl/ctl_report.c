/* "query": the domain report, as a table for a person or as JSON. */

#include "ctl.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>

static size_t const pool_types[] = { FD_SHMEM_HUGE_PAGE_SZ, FD_SHMEM_GIGANTIC_PAGE_SZ };

/* Writes s as a JSON string, as the text report shows it (bytes outside
   printable ASCII as \xHH), so the output is valid JSON, in ASCII,
   whatever bytes a file name holds. */
static void
json_str( char const * s ) {
  char shown[ 4*4096+8 ];
  ctl_printable( s, shown, sizeof(shown) );
  putchar( '"' );
  for( char const * c=shown; *c; c++ ) {
    if( *c=='"' || *c=='\\' ) putchar( '\\' );
    putchar( *c );
  }
  putchar( '"' );
}

static char const *
user_name( unsigned long uid, char * buf, size_t sz ) {
  struct passwd * pw = getpwuid( (uid_t)uid );
  if( pw ) return pw->pw_name;
  snprintf( buf, sz, "%lu", uid );
  return buf;
}

static char const *
group_name( unsigned long gid, char * buf, size_t sz ) {
  struct group * gr = getgrgid( (gid_t)gid );
  if( gr ) return gr->gr_name;
  snprintf( buf, sz, "%lu", gid );
  return buf;
}

static void
report_pools( ctl_t const * ctl ) {
  size_t numa_cnt = fd_shmem_numa_cnt();
  int first = 1;
  if( ctl->json ) printf( "  \"pools\": [" );
  else            printf( "%-9s %5s %8s %8s %8s\n", "pool", "node", "total", "free", "surplus" );
  for( size_t t=0UL; t<sizeof(pool_types)/sizeof(pool_types[0]); t++ ) {
    char const * type = fd_shmem_page_sz_to_cstr( pool_types[t] );
    for( size_t n=0UL; n<numa_cnt; n++ ) {
      fd_shmem_pool_info_t p;
      int err = fd_shmem_pool_query( pool_types[t], n, &p );
      if( err==EOPNOTSUPP ) {
        if( !ctl->json && !n ) printf( "%-9s %5s %s\n", type, "-", "(not offered by this kernel)" );
        break;
      }
      if( err ) continue;  /* a node without memory */
      if( ctl->json )
        printf( "%s\n    { \"type\": \"%s\", \"node\": %zu, \"total\": %zu, \"free\": %zu, \"surplus\": %zu }",
                first ? "" : ",", type, n, p.total, p.free, p.surplus );
      else printf( "%-9s %5zu %8zu %8zu %8zu\n", type, n, p.total, p.free, p.surplus );
      first = 0;
    }
  }
  if( ctl->json ) printf( "%s],\n", first ? "" : "\n  " );
}

typedef struct { ctl_t const * ctl; size_t cnt; } region_walk_t;

static int
report_region( void * ctx, fd_shmem_region_info_t const * r ) {
  region_walk_t * w = ctx;
  char ub[ 24 ], gb[ 24 ];
  char const * user  = user_name( r->uid, ub, sizeof(ub) );
  char const * group = group_name( r->gid, gb, sizeof(gb) );
  char const * type  = fd_shmem_page_sz_to_cstr( r->page_sz );
  if( w->ctl->json ) {
    printf( "%s\n    { \"name\": ", w->cnt ? "," : "" );
    json_str( r->name );
    printf( ", \"type\": \"%s\", \"pages\": %zu, \"bytes\": %zu, \"user\": ", type, r->page_cnt, r->sz );
    json_str( user );
    printf( ", \"group\": " );
    json_str( group );
    printf( ", \"mode\": \"%04lo\", \"processes\": %zu, \"valid\": %s, \"leftover\": %s }", r->mode, r->map_cnt,
            r->valid ? "true" : "false", r->leftover ? "true" : "false" );
  } else {
    char name[ 4*sizeof(r->name) ];
    char const * note = r->leftover ? "  (leftover of an interrupted create; reset removes it)" :
                        r->valid    ? "" : "  (not a valid region)";
    printf( "%-39s %-8s %8zu %12zu %8s %8s %04lo %5zu%s\n", ctl_printable( r->name, name, sizeof(name) ), type,
            r->page_cnt, r->sz, user, group, r->mode, r->map_cnt, note );
  }
  w->cnt++;
  return 0;
}

/* Each page type's state: a line for a person, an object for JSON. */
static void
report_types( ctl_t const * ctl, fd_shmem_domain_info_t const * info ) {
  if( ctl->json ) printf( "  \"types\": [" );
  for( int t=0; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) {
    fd_shmem_type_info_t const * ti = &info->type[ t ];
    char const * type  = fd_shmem_page_sz_to_cstr( ti->page_sz );
    char const * state = fd_shmem_type_state_cstr( ti->state );
    if( ctl->json ) {
      printf( "%s\n    { \"type\": \"%s\", \"state\": \"%s\", \"offered\": %s }", t ? "," : "", type, state,
              ti->offered ? "true" : "false" );
      continue;
    }
    if( ti->state==FD_SHMEM_TYPE_MISSING && !ti->offered ) state = "absent (not offered by this kernel)";
    printf( "  .%-9s %s%s\n", type, state,
            ti->state==FD_SHMEM_TYPE_MOUNTED || !ti->offered ? "" : "  (see: fd_shmem_ctl apply)" );
  }
  if( ctl->json ) printf( "\n  ],\n" );
}

int
ctl_report( ctl_t * ctl ) {
  char const * path = fd_shmem_path();
  if( ctl->json ) { printf( "{\n  \"domain\": " ); json_str( path ); printf( ",\n" ); }
  report_pools( ctl );
  fd_shmem_domain_info_t info;
  int err = fd_shmem_domain_describe( path, &info );
  if( err ) return err;
  int exists = info.exists;
  if( ctl->json ) printf( "  \"exists\": %s,\n", exists ? "true" : "false" );
  else {
    char shown[ 4*4096+8 ];
    printf( "\ndomain %s%s\n", ctl_printable( path, shown, sizeof(shown) ), exists ? "" : ": does not exist" );
  }
  if( exists ) report_types( ctl, &info );
  if( ctl->json ) printf( "  \"regions\": [" );
  region_walk_t w = { ctl, 0UL };
  if( exists && !ctl->json )
    printf( "%-39s %-8s %8s %12s %8s %8s %4s %5s\n",
            "region", "type", "pages", "bytes", "owner", "group", "mode", "procs" );
  err = exists ? fd_shmem_domain_regions( path, report_region, &w ) : 0;
  if( ctl->json ) printf( "%s]\n}\n", w.cnt ? "\n  " : "" );
  else if( exists && !w.cnt ) printf( "(no regions)\n" );
  return err;
}

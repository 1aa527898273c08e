/* Domain commands and their arguments: init, fini and reset.
   Under --dry-run the library makes every check and changes nothing;
   the command then says what it would have done. */

#include "ctl.h"

#include <errno.h>
#include <stdio.h>

static char const *
or_unchanged( char const * s ) {
  return s && s[0] ? s : "(unchanged)";
}

int
ctl_cmd_init( ctl_t * ctl, ctl_args_t const * args ) {
  ctl_init_args_t const * a = &args->init;
  int err = fd_shmem_domain_init( NULL, a->perm, a->user, a->group );
  if( err ) return err;  /* the library named what is wrong (EEXIST: the path exists) */
  if( ctl->dry_run ) printf( "would: init domain %s (mode %04lo, owner %s:%s)\n", fd_shmem_path(), a->perm,
                             or_unchanged( a->user ), or_unchanged( a->group ) );
  else ctl_note( ctl, "initialized domain %s", fd_shmem_path() );
  return 0;
}

int
ctl_cmd_fini( ctl_t * ctl, ctl_args_t const * args ) {
  (void)args;
  int err = fd_shmem_domain_fini( NULL );
  if( err ) return err;  /* the library named what is missing, wrong, or holds it */
  if( ctl->dry_run ) printf( "would: unmount and remove domain %s\n", fd_shmem_path() );
  else ctl_note( ctl, "removed domain %s", fd_shmem_path() );
  return 0;
}

/* Prints what reset would do with one file; *ctx counts the removals. */
static int
print_would_unlink( void * ctx, fd_shmem_region_info_t const * r ) {
  size_t * cnt = ctx;
  char name[ 4*sizeof(r->name) ];
  ctl_printable( r->name, name, sizeof(name) );
  if( r->is_dir ) { printf( "would: leave the directory %s (not a region)\n", name ); return 0; }
  if( !r->valid && !r->leftover ) printf( "would: unlink file %s (not a valid region)\n", name );
  else printf( "would: unlink %s %s (%s, %zu page%s)\n", r->leftover ? "leftover" : "region", name,
               fd_shmem_page_sz_to_cstr( r->page_sz ), r->page_cnt, r->page_cnt==1UL ? "" : "s" );
  (*cnt)++;
  return 0;
}

int
ctl_cmd_reset( ctl_t * ctl, ctl_args_t const * args ) {
  (void)args;
  int err = fd_shmem_domain_reset( NULL );
  if( err ) return err;  /* the library named what is missing or wrong */
  if( !ctl->dry_run ) { ctl_note( ctl, "removed every region of %s", fd_shmem_path() ); return 0; }
  size_t cnt = 0UL;
  err = fd_shmem_domain_regions( NULL, print_would_unlink, &cnt );
  if( !err && !cnt ) printf( "would: nothing to remove: %s has no regions\n", fd_shmem_path() );
  return err;
}

/* ---- the arguments ---- */

/* USER and GROUP: names or ids that exist ("": unchanged). */
static int
parse_owner( ctl_t * ctl, char const * user, char const * group ) {
  unsigned long uid, gid;
  int bad_user  = !!fd_shmem_owner_resolve( user, NULL, &uid, &gid );
  int bad_group = !bad_user && fd_shmem_owner_resolve( NULL, group, &uid, &gid );
  if( bad_user || bad_group ) ctl_warnings_drop_last();  /* the library's "no such user", said below */
  if( bad_user )  return ctl_bad_arg( ctl, "USER", user, ": no such user" );
  if( bad_group ) return ctl_bad_arg( ctl, "GROUP", group, ": no such group" );
  return 0;
}

int
ctl_parse_init( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  args->init.user  = argv[1];
  args->init.group = argv[2];
  int err = ctl_parse_mode( ctl, "PERM", argv[0], &args->init.perm );
  return err ? err : parse_owner( ctl, args->init.user, args->init.group );
}

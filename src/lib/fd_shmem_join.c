/* Joins: mapping named regions into this process, reference counted,
   with join/leave callbacks; read-only joins upgraded in place; queries;
   anonymous joins; iteration over snapshots.

   The locks and what they protect, the busy state and the lockless
   leave: see the rules at the top of fd_shmem_join_tab.h. */

#include "fd_shmem_join_tab.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* glibc's __libc_single_threaded: true while the process has one thread
   (only pthread_create clears it, in the creating thread, before the new
   one runs). */
#if defined( __has_include )
#if __has_include( <sys/single_threaded.h> )
#include <sys/single_threaded.h>
#define ONE_THREAD() ( __libc_single_threaded )
#endif
#endif
#ifndef ONE_THREAD
#define ONE_THREAD() ( 0 )
#endif

#define MODE_OK( mode ) ( (mode)==FD_SHMEM_JOIN_MODE_READ_ONLY || (mode)==FD_SHMEM_JOIN_MODE_READ_WRITE )

#define MAP_TRIES     (64)
#define USER_ADDR_TOP ( (uintptr_t)1 << 47 )  /* x86-64 / arm64 user space */

static pthread_mutex_t join_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t  join_cond = PTHREAD_COND_INITIALIZER;

/* ---- mapping ---- */

/* Reserves sz bytes of address space at a random align-aligned address
   that was free (the hint is honoured only when nothing is there, and
   the reservation is dropped when the kernel put it elsewhere). */
static void *
reserve_random( size_t sz, size_t align ) {
  for( int i=0; i<MAP_TRIES; i++ ) {
    uintptr_t r;
    if( getrandom( &r, sizeof(r), 0 )!=(ssize_t)sizeof(r) ) break;
    uintptr_t addr = ( r % USER_ADDR_TOP ) & ~(uintptr_t)( align-1UL );
    if( addr < ( (uintptr_t)1 << 32 ) || addr > USER_ADDR_TOP - sz ) continue;
    void * p = mmap( (void *)addr, sz, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0 );
    if( p==(void *)addr ) return p;
    if( p!=MAP_FAILED ) munmap( p, sz );
  }
  /* Crowded address space: over-reserve anywhere and trim to alignment. */
  char * p = mmap( NULL, sz+align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0 );
  if( p==MAP_FAILED ) return NULL;
  char * a = (char *)( ( (uintptr_t)p + align-1UL ) & ~(uintptr_t)( align-1UL ) );
  if( a>p ) munmap( p, (size_t)( a-p ) );
  munmap( a+sz, (size_t)( p+sz+align-( a+sz ) ) );
  return a;
}

/* Says why a join's pages stay unlocked.  The usual cause is a lock
   limit below the region's size: name it and how to raise it. */
static void
warn_unlocked( char const * name, size_t sz, int err ) {
  struct rlimit lim;
  char s[ 32 ], l[ 32 ];
  if( ( err==ENOMEM || err==EPERM || err==EAGAIN ) && !getrlimit( RLIMIT_MEMLOCK, &lim ) &&
      lim.rlim_cur!=RLIM_INFINITY && (size_t)lim.rlim_cur<sz ) {
    FD_SHMEM_PRIVATE_WARN( "join %s: cannot lock its %s: RLIMIT_MEMLOCK is %s; continuing with unlocked pages "
                           "(raise the limit: LimitMEMLOCK= in the systemd unit, ulimit -l, or grant CAP_IPC_LOCK)",
                           name, fd_shmem_private_human( sz, s, sizeof(s) ),
                           fd_shmem_private_human( (size_t)lim.rlim_cur, l, sizeof(l) ) );
    return;
  }
  FD_SHMEM_PRIVATE_WARN( "join %s: mlock failed (%s); continuing with unlocked pages", name, strerror( err ) );
}

/* Locks sz bytes at mem (a failure is logged, not fatal) and, unless
   dump, keeps them out of core dumps. */
static void
settle_pages( char const * name, void * mem, size_t sz, int dump ) {
  if( mlock( mem, sz ) ) warn_unlocked( name, sz, errno );
  if( !dump ) madvise( mem, sz, MADV_DONTDUMP );
}

/* Maps the region name into this process.  Returns the mapping or NULL
   (logged); *info gets the page geometry, *st the file's identity. */
static void *
map_region( char const * name, int mode, int dump, fd_shmem_info_t * info, struct stat * st ) {
  int rw = mode==FD_SHMEM_JOIN_MODE_READ_WRITE;
  int fd;
  int err = fd_shmem_private_region_find( name, 0UL, rw ? O_RDWR : O_RDONLY, &fd, info, st );
  if( err ) {
    fd_shmem_private_fail( err, err==ENOENT ? FD_SHMEM_REASON_MISSING : err==EFAULT ? FD_SHMEM_REASON_NOT_REGION :
                           FD_SHMEM_REASON_SYSTEM, NULL, NULL, "join %s: %s", name,
                           err==ENOENT ? "no such region" : strerror( err ) );
    return NULL;
  }
  size_t sz  = info->page_sz*info->page_cnt;
  void * mem = reserve_random( sz, info->page_sz );
  if( mem && mmap( mem, sz, rw ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0 )!=mem ) {
    err = errno;
    munmap( mem, sz );
    mem = NULL;
  }
  close( fd );
  if( !mem ) {
    fd_shmem_private_figs_t figs = { .needed=sz, .page_sz=info->page_sz, .numa_idx=FD_SHMEM_IDX_NULL };
    fd_shmem_private_fail( err ? err : ENOMEM, FD_SHMEM_REASON_SYSTEM, NULL, &figs,
                           "join %s: cannot map %zu bytes (%s)", name, sz, strerror( err ? err : ENOMEM ) );
    return NULL;
  }
  settle_pages( name, mem, sz, dump );
  return mem;
}

/* Maps the read-only join described by info read-write over the same
   range: the same file (dev, ino, size) opened O_RDWR and mapped
   MAP_FIXED, so the address and every pointer into it stay valid, and
   a thread reading it meanwhile faults the same pages back in (the
   kernel replaces the mapping under its mmap lock).  A read-only
   mapping of an O_RDONLY descriptor cannot be mprotect-ed writable.
   Returns 0, or an errno (logged) with the read-only mapping left in
   place. */
static int
remap_rw( fd_shmem_join_info_t const * info, int dump, dev_t dev, ino_t ino ) {
  size_t          sz = info->page_sz*info->page_cnt;
  int             fd;
  fd_shmem_info_t geo;
  struct stat     st;
  int err = fd_shmem_private_region_find( info->name, info->page_sz, O_RDWR, &fd, &geo, &st );
  if( !err ) {
    if( st.st_dev!=dev || st.st_ino!=ino || geo.page_sz*geo.page_cnt!=sz ) err = ESTALE;
    else if( mmap( info->shmem, sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0 )!=info->shmem ) {
      err = errno;  /* put the read-only view back, wherever the kernel left the range */
      mmap( info->shmem, sz, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0 );
    }
    close( fd );
  }
  if( err ) {
    return fd_shmem_private_fail( err, err==ENOENT || err==ESTALE ? FD_SHMEM_REASON_MISSING : FD_SHMEM_REASON_SYSTEM,
                                  NULL, NULL, "join %s: cannot join it read-write (%s); it stays joined read-only",
                                  info->name, err==ENOENT ? "no such region" :
                                  err==ESTALE ? "the region was replaced or resized" : strerror( err ) );
  }
  settle_pages( info->name, info->shmem, sz, dump );
  return 0;
}

/* ---- busy entries and reference counts ---- */

static long ref_load( fd_shmem_private_join_ent_t const * ent ) { return FD_SHMEM_PRIVATE_LOAD( &ent->info.ref_cnt ); }

#define SETTLED (0)
#define CYCLE   (1)
#define WAITED  (2)  /* ent may be gone or reused: look it up again */

/* With the lock held: SETTLED if no callback of ent runs, CYCLE if this
   very thread runs it, else waits for a change and returns WAITED. */
static int
wait_not_busy( fd_shmem_private_join_ent_t * ent ) {
  if( ref_load( ent )!=-1L ) return SETTLED;
  if( pthread_equal( ent->busy_owner, pthread_self() ) ) return CYCLE;
  pthread_cond_wait( &join_cond, &join_lock );
  return WAITED;
}

/* With the lock held: makes the settled ent busy for this thread and
   returns its reference count.  The swap is atomic: a lockless leave may
   count down until it lands, and none succeeds after. */
static long
mark_busy( fd_shmem_private_join_ent_t * ent ) {
  ent->busy_owner = pthread_self();
  return __atomic_exchange_n( &ent->info.ref_cnt, -1L, __ATOMIC_ACQ_REL );
}

/* With the lock held: publishes info for the busy ent, which settles it
   (or clears it when info is NULL), and wakes the threads waiting on
   it. */
static void
settle( fd_shmem_private_join_ent_t * ent, fd_shmem_join_info_t const * info ) {
  fd_shmem_private_join_write_begin();
  if( info ) fd_shmem_private_join_update( ent, info );
  else       fd_shmem_private_join_remove( ent );
  fd_shmem_private_join_write_end();
  pthread_cond_broadcast( &join_cond );
}

/* Counting a reference up or down needs no write section: that one word
   is all that changes, and a reader may take either value.  Other
   threads count down without the lock, so the count changes by atomic
   read-modify-write; in a process with one thread nobody else can touch
   it, and a plain store does (glibc's mutexes skip their lock prefix
   there the same way, and a locked instruction costs more than the
   whole uncontended lock and unlock). */

/* Drops one of several references: 1 if done, 0 if ent has one
   reference or is busy (the caller then needs the lock). */
static inline __attribute__(( always_inline )) int
ref_drop_shared( fd_shmem_private_join_ent_t * ent ) {
  long r = ref_load( ent );
  if( ONE_THREAD() ) {
    if( r<=1L ) return 0;
    FD_SHMEM_PRIVATE_STORE( &ent->info.ref_cnt, r-1L );
    return 1;
  }
  while( r>1L ) {
    if( __atomic_compare_exchange_n( &ent->info.ref_cnt, &r, r-1L, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE ) ) return 1;
  }
  return 0;
}

/* Adds a reference to the settled ent, with the lock held (a lockless
   leave may count down meanwhile) or from the only thread. */
static void
ref_add( fd_shmem_private_join_ent_t * ent ) {
  if( ONE_THREAD() ) FD_SHMEM_PRIVATE_STORE( &ent->info.ref_cnt, ref_load( ent )+1L );
  else               __atomic_fetch_add( &ent->info.ref_cnt, 1L, __ATOMIC_ACQ_REL );
}

static void
snapshot( fd_shmem_join_info_t * opt_info, fd_shmem_private_join_ent_t const * ent ) {
  if( opt_info ) fd_shmem_private_join_snapshot( ent, opt_info );
}

/* ---- join ---- */

/* 1 if a later join in mode can share ent's mapping as it is: a
   read-only join of any, a read-write join of a read-write one. */
static int
mode_fits( fd_shmem_private_join_ent_t const * ent, int mode ) {
  return FD_SHMEM_PRIVATE_LOAD( &ent->info.mode )==mode || mode==FD_SHMEM_JOIN_MODE_READ_ONLY;
}

/* A later join of an existing, settled entry whose mode fits (or that
   is anonymous), with the lock held (or from the process's only thread,
   see fd_shmem_join). */
static void *
join_again( fd_shmem_private_join_ent_t * ent, fd_shmem_join_info_t * opt_info ) {
  ref_add( ent );
  snapshot( opt_info, ent );
  return ent->info.join;
}

/* With the lock held on entry and exit: a read-write join of the
   settled ent, joined read-only.  The entry is busy while the region is
   mapped read-write over the same range (remap_rw); then it counts one
   more reference and says read-write, or, on failure, is as it was.
   Kept out of line: it is rare. */
__attribute__(( noinline )) static void *
join_upgrade( fd_shmem_private_join_ent_t * ent, fd_shmem_join_info_t * opt_info ) {
  fd_shmem_join_info_t info;
  fd_shmem_private_join_snapshot( ent, &info );
  info.ref_cnt = mark_busy( ent );
  int   dump = ent->dump;
  dev_t dev  = ent->file_dev;
  ino_t ino  = ent->file_ino;
  pthread_mutex_unlock( &join_lock );

  int err = remap_rw( &info, dump, dev, ino );

  pthread_mutex_lock( &join_lock );
  if( !err ) { info.ref_cnt++; info.mode = FD_SHMEM_JOIN_MODE_READ_WRITE; }
  settle( ent, &info );
  if( err ) return NULL;
  snapshot( opt_info, ent );
  return info.join;
}

/* With the lock held on entry and exit: maps, runs the join callback and
   settles the new entry ent (busy, indexed by name only).  Kept out of
   line: the hot path of fd_shmem_join is a later join. */
__attribute__(( noinline )) static void *
join_first( fd_shmem_private_join_ent_t * ent, int mode, int dump, fd_shmem_joinleave_func_t join_func, void * ctx,
            fd_shmem_join_info_t * opt_info ) {
  fd_shmem_join_info_t info;
  fd_shmem_private_join_snapshot( ent, &info );
  pthread_mutex_unlock( &join_lock );

  fd_shmem_info_t geo;
  struct stat     st;
  void * mem = map_region( info.name, mode, dump, &geo, &st );

  pthread_mutex_lock( &join_lock );
  if( !mem ) { settle( ent, NULL ); return NULL; }
  ent->dump     = (unsigned char)!!dump;
  ent->file_dev = st.st_dev;
  ent->file_ino = st.st_ino;
  info.shmem    = mem;
  info.page_sz  = geo.page_sz;
  info.page_cnt = geo.page_cnt;
  info.mode     = mode;
  fd_shmem_private_join_write_begin();
  fd_shmem_private_join_update( ent, &info );  /* indexed by address: the range is taken */
  fd_shmem_private_join_write_end();
  pthread_mutex_unlock( &join_lock );

  void * join = join_func ? join_func( ctx, &info ) : mem;

  pthread_mutex_lock( &join_lock );
  if( !join || fd_shmem_private_join_by_join( join ) ) {
    fd_shmem_private_fail( EINVAL, FD_SHMEM_REASON_ARG, NULL, NULL, "join %s: the join callback %s", info.name,
                           join ? "returned a handle already in use" : "failed" );
    settle( ent, NULL );  /* before the range is free for others */
    munmap( mem, geo.page_sz*geo.page_cnt );
    return NULL;
  }
  info.join    = join;
  info.ref_cnt = 1L;
  settle( ent, &info );
  snapshot( opt_info, ent );
  return join;
}

/* Under the lock: a later join of a settled entry or the first join of
   a name.  Kept out of line: see fd_shmem_join. */
__attribute__(( noinline )) static void *
join_locked( char const * name, fd_shmem_private_name_t const * key, size_t len, unsigned hash, int mode,
             int dump, fd_shmem_joinleave_func_t join_func, void * ctx, fd_shmem_join_info_t * opt_info ) {
  void * join = NULL;
  pthread_mutex_lock( &join_lock );
  for(;;) {
    fd_shmem_private_join_ent_t * ent = fd_shmem_private_join_by_name( key, len, hash );
    int state = ent ? wait_not_busy( ent ) : SETTLED;
    if( state==WAITED ) continue;
    if( state==CYCLE ) {
      fd_shmem_private_fail( EDEADLK, FD_SHMEM_REASON_ARG, NULL, NULL,
                             "join %s: called from its own join or leave callback (cycle)", name );
      break;
    }
    if( ent ) {  /* the memory of an anonymous join is the caller's: never remapped, as in the original */
      join = mode_fits( ent, mode ) || ent->anon ? join_again( ent, opt_info ) : join_upgrade( ent, opt_info );
      break;
    }
    if( !fd_shmem_private_name_check( name ) ) {
      fd_shmem_private_fail( EINVAL, FD_SHMEM_REASON_ARG, NULL, NULL, "join: bad region name" );
      break;
    }
    fd_shmem_join_info_t const busy = { .ref_cnt = -1L };
    fd_shmem_private_join_write_begin();
    ent = fd_shmem_private_join_add( key, hash, &busy );
    fd_shmem_private_join_write_end();
    if( ent ) ent->busy_owner = pthread_self();
    if( !ent ) {
      fd_shmem_private_figs_t figs = { .needed=FD_SHMEM_JOIN_MAX+1UL, .had=FD_SHMEM_JOIN_MAX,
                                       .numa_idx=FD_SHMEM_IDX_NULL };
      fd_shmem_private_fail( ENOSPC, FD_SHMEM_REASON_NO_ROOM, NULL, &figs, "join %s: too many regions joined (%lu)",
                             name, FD_SHMEM_JOIN_MAX );
      break;
    }
    join = join_first( ent, mode, dump, join_func, ctx, opt_info );
    break;
  }
  pthread_mutex_unlock( &join_lock );
  return join;
}

/* The checks, then the lookup under the lock unless the process's only
   thread finds a settled entry (see fd_shmem_join). */
__attribute__(( noinline )) static void *
join_slow( char const * name, int mode, int dump, fd_shmem_joinleave_func_t join_func, void * ctx,
           fd_shmem_join_info_t * opt_info ) {
  fd_shmem_private_name_t key;
  unsigned hash;
  size_t   len = fd_shmem_private_name_copy( name, &key, &hash );  /* checked below unless already joined */
  if( !len || ( !MODE_OK( mode ) && !fd_shmem_private_name_check( name ) ) ) {
    fd_shmem_private_fail( EINVAL, FD_SHMEM_REASON_ARG, NULL, NULL, "join: bad region name" );
    return NULL;
  }
  if( !MODE_OK( mode ) ) {
    fd_shmem_private_fail( EINVAL, FD_SHMEM_REASON_ARG, NULL, NULL, "join %s: bad mode %d", name, mode );
    return NULL;
  }
  if( ONE_THREAD() ) {
    fd_shmem_private_join_ent_t * ent = fd_shmem_private_join_by_name( &key, len, hash );
    if( ent && ref_load( ent )>=1L && mode_fits( ent, mode ) ) return join_again( ent, opt_info );
  }
  return join_locked( name, &key, len, hash, mode, dump, join_func, ctx, opt_info );
}

/* The lock only serializes threads, and no callback runs with it held:
   in a process with one thread, a later join of a settled entry in a
   mode that fits needs neither (a busy or missing entry, or an upgrade,
   takes the locked path).  That join runs here and calls nothing;
   anything else starts over in join_slow. */
FD_SHMEM_EXPORT void *
fd_shmem_join( char const * name, int mode, int dump,
               fd_shmem_joinleave_func_t join_func, void * ctx,
               fd_shmem_join_info_t * opt_info ) {
  if( ONE_THREAD() && MODE_OK( mode ) ) {
    fd_shmem_private_name_t key;
    unsigned hash;
    size_t   len = fd_shmem_private_name_copy( name, &key, &hash );
    fd_shmem_private_join_ent_t * ent = len ? fd_shmem_private_join_by_name( &key, len, hash ) : NULL;
    if( ent && ref_load( ent )>=1L && mode_fits( ent, mode ) ) {
      FD_SHMEM_PRIVATE_STORE( &ent->info.ref_cnt, ref_load( ent )+1L );  /* the only thread: see ref_add */
      snapshot( opt_info, ent );
      return ent->info.join;
    }
  }
  return join_slow( name, mode, dump, join_func, ctx, opt_info );
}

/* ---- leave ---- */

/* A leave that is not the last: the entry is found without the lock and
   counted down by compare-and-swap.  The caller holds one of its
   references, so it can be neither removed nor reused meanwhile.
   Returns 1 if done; 0 leaves everything to the locked path. */
static int
leave_shared( void const * join ) {
  fd_shmem_private_join_ent_t * ent;
  FD_SHMEM_PRIVATE_JOIN_READ( ent = fd_shmem_private_join_by_join( join ) );
  return ent && ref_drop_shared( ent );
}

/* With the lock held: finds the settled entry of handle join.  Returns
   it, or NULL after logging why not. */
static fd_shmem_private_join_ent_t *
leave_lookup( void const * join, char const * what ) {
  for(;;) {
    fd_shmem_private_join_ent_t * ent = fd_shmem_private_join_by_join( join );
    if( !ent ) { FD_SHMEM_PRIVATE_WARN( "%s: %p is not a current join", what, join ); return NULL; }
    int state = wait_not_busy( ent );
    if( state==SETTLED ) return ent;
    if( state==CYCLE ) {
      FD_SHMEM_PRIVATE_WARN( "%s %s: called from its own join or leave callback (cycle)", what, ent->info.name );
      return NULL;
    }
  }
}

/* The leave that may be the last, under the lock.  Kept out of line:
   a leave that is not the last takes no lock. */
__attribute__(( noinline )) static int
leave_locked( void * join, fd_shmem_joinleave_func_t leave_func, void * ctx ) {
  pthread_mutex_lock( &join_lock );
  fd_shmem_private_join_ent_t * ent = leave_lookup( join, "leave" );
  if( ent && ent->anon && ref_load( ent )==1L ) {
    FD_SHMEM_PRIVATE_WARN( "leave %s: an anonymous join ends with fd_shmem_leave_anonymous", ent->info.name );
    ent = NULL;
  }
  if( !ent ) { pthread_mutex_unlock( &join_lock ); return 1; }
  if( ref_drop_shared( ent ) ) {
    pthread_mutex_unlock( &join_lock );
    return 0;
  }

  mark_busy( ent );  /* the one reference left, ours */
  fd_shmem_join_info_t info;
  fd_shmem_private_join_snapshot( ent, &info );
  pthread_mutex_unlock( &join_lock );

  if( leave_func ) leave_func( ctx, &info );

  /* Forget the entry before unmapping: once the range is free the kernel
     may hand it to a concurrent join, which must not find it taken. */
  pthread_mutex_lock( &join_lock );
  settle( ent, NULL );
  pthread_mutex_unlock( &join_lock );

  int bad = munmap( info.shmem, info.page_sz*info.page_cnt )!=0;
  if( bad ) FD_SHMEM_PRIVATE_WARN( "leave %s: munmap failed (%s)", info.name, strerror( errno ) );
  return bad;
}

/* The whole leave: the lockless way when it works, else the lock. */
__attribute__(( noinline )) static int
leave_slow( void * join, fd_shmem_joinleave_func_t leave_func, void * ctx ) {
  if( !join ) { FD_SHMEM_PRIVATE_WARN( "leave: NULL join" ); return 1; }
  if( leave_shared( join ) ) return 0;
  return leave_locked( join, leave_func, ctx );
}

/* With no writer about, a leave that is not the last takes one pass
   and calls nothing; anything else goes the whole way. */
FD_SHMEM_EXPORT int
fd_shmem_leave( void * join, fd_shmem_joinleave_func_t leave_func, void * ctx ) {
  uint64_t seq = FD_SHMEM_PRIVATE_LOAD( &fd_shmem_private_join_tab.seq );
  if( join && !( seq & 1UL ) ) {
    fd_shmem_private_join_ent_t * ent = fd_shmem_private_join_by_join( join );
    if( ent && fd_shmem_private_join_read_done( seq ) && ref_drop_shared( ent ) ) return 0;
  }
  return leave_slow( join, leave_func, ctx );
}

/* ---- queries (silent, lock-free) ---- */

/* Each looks up and copies without the lock, and starts over when a
   writer changed the table meanwhile. */

/* The whole query by name: waits out a writer and starts over after
   one, and tells a missing name from a bad one. */
__attribute__(( noinline )) static int
query_by_name_slow( char const * name, fd_shmem_join_info_t * opt_info ) {
  fd_shmem_private_name_t key;
  unsigned hash;
  size_t   len = fd_shmem_private_name_copy( name, &key, &hash );
  if( !len ) return EINVAL;
  fd_shmem_private_join_ent_t * ent;
  FD_SHMEM_PRIVATE_JOIN_READ( ent = fd_shmem_private_join_by_name( &key, len, hash );
                              if( ent ) snapshot( opt_info, ent ) );
  if( ent ) return 0;
  return fd_shmem_private_name_check( name ) ? ENOENT : EINVAL;
}

/* A hit while no writer is about takes one pass and calls nothing (so
   it needs no stack frame of its own); anything else starts over the
   slow way. */
FD_SHMEM_EXPORT int
fd_shmem_join_query_by_name( char const * name, fd_shmem_join_info_t * opt_info ) {
  fd_shmem_private_name_t key;
  unsigned hash;
  size_t   len = fd_shmem_private_name_copy( name, &key, &hash );
  uint64_t seq = FD_SHMEM_PRIVATE_LOAD( &fd_shmem_private_join_tab.seq );
  if( len && !( seq & 1UL ) ) {
    fd_shmem_private_join_ent_t * ent = fd_shmem_private_join_by_name( &key, len, hash );
    if( ent ) {
      snapshot( opt_info, ent );
      if( fd_shmem_private_join_read_done( seq ) ) return 0;
    }
  }
  return query_by_name_slow( name, opt_info );
}

FD_SHMEM_EXPORT int
fd_shmem_join_query_by_join( void const * join, fd_shmem_join_info_t * opt_info ) {
  if( !join ) return EINVAL;
  fd_shmem_private_join_ent_t * ent;
  FD_SHMEM_PRIVATE_JOIN_READ( ent = fd_shmem_private_join_by_join( join ); if( ent ) snapshot( opt_info, ent ) );
  return ent ? 0 : ENOENT;
}

FD_SHMEM_EXPORT int
fd_shmem_join_query_by_addr( void const * addr, size_t sz, fd_shmem_join_info_t * opt_info ) {
  if( !sz ) return ENOENT;
  uintptr_t a0 = (uintptr_t)addr;
  uintptr_t a1 = a0 + ( sz-1UL );
  if( a1<a0 ) return EINVAL;
  fd_shmem_private_join_ent_t * ent;
  FD_SHMEM_PRIVATE_JOIN_READ( ent = fd_shmem_private_join_by_addr( a0, a1 ); if( ent ) snapshot( opt_info, ent ) );
  return ent ? 0 : ENOENT;
}

/* ---- anonymous joins ---- */

static int
anon_args_ok( int mode, void * join, void * mem, size_t page_sz, size_t page_cnt ) {
  if( !join || !mem || !fd_shmem_is_page_sz( page_sz ) || !page_cnt ) return 0;
  if( !MODE_OK( mode ) ) return 0;
  if( !fd_shmem_private_is_aligned( mem, page_sz ) || page_cnt > SIZE_MAX/page_sz ) return 0;
  return (uintptr_t)mem + ( page_cnt*page_sz-1UL ) >= (uintptr_t)mem;  /* no wrap */
}

FD_SHMEM_EXPORT int
fd_shmem_join_anonymous( char const * name, int mode, void * join, void * mem,
                         size_t page_sz, size_t page_cnt ) {
  fd_shmem_private_name_t key;
  unsigned hash;
  size_t   len = fd_shmem_private_name_key( name, &key, &hash );
  if( !len || !anon_args_ok( mode, join, mem, page_sz, page_cnt ) ) return EINVAL;
  uintptr_t a0   = (uintptr_t)mem;
  uintptr_t a1   = a0 + ( page_cnt*page_sz-1UL );
  pthread_mutex_lock( &join_lock );
  int taken = fd_shmem_private_join_by_name( &key, len, hash ) || fd_shmem_private_join_by_join( join ) ||
              fd_shmem_private_join_by_addr( a0, a1 );
  fd_shmem_join_info_t const info = { .ref_cnt = 1L, .join = join, .shmem = mem, .page_sz = page_sz,
                                      .page_cnt = page_cnt, .mode = mode };
  fd_shmem_private_join_write_begin();
  fd_shmem_private_join_ent_t * ent = taken ? NULL : fd_shmem_private_join_add( &key, hash, &info );
  fd_shmem_private_join_write_end();
  if( ent ) ent->anon = 1;
  pthread_mutex_unlock( &join_lock );
  return ent ? 0 : EINVAL;
}

FD_SHMEM_EXPORT int
fd_shmem_leave_anonymous( void * join, fd_shmem_join_info_t * opt_info ) {
  if( !join ) return EINVAL;
  pthread_mutex_lock( &join_lock );
  fd_shmem_private_join_ent_t * ent = fd_shmem_private_join_by_join( join );
  int ok = ent && ent->anon && ref_load( ent )==1L;
  if( ok ) {
    if( opt_info ) { fd_shmem_private_join_snapshot( ent, opt_info ); opt_info->ref_cnt = 0L; }
    settle( ent, NULL );
  }
  pthread_mutex_unlock( &join_lock );
  return ok ? 0 : EINVAL;
}

/* ---- iteration ---- */

/* A walk hands out snapshots, one at a time, from a buffer of the
   calling thread; next is the entry to look at after the one in info. */
typedef struct {
  fd_shmem_join_info_t info;  /* first: what the walk hands out */
  size_t               next;
} iter_t;

static __thread iter_t iter_buf;

/* The first entry in use from idx on, copied without the lock. */
static fd_shmem_join_info_t const *
iter_from( size_t idx ) {
  for( ; idx<FD_SHMEM_JOIN_MAX; idx++ ) {
    fd_shmem_private_join_ent_t const * ent = &fd_shmem_private_join_tab.ent[ idx ];
    FD_SHMEM_PRIVATE_JOIN_READ( fd_shmem_private_join_snapshot( ent, &iter_buf.info ) );
    if( iter_buf.info.name[0] ) { iter_buf.next = idx+1UL; return &iter_buf.info; }
  }
  return NULL;
}

FD_SHMEM_EXPORT fd_shmem_join_info_t const *
fd_shmem_iter_begin( void ) {
  return iter_from( 0UL );
}

FD_SHMEM_EXPORT fd_shmem_join_info_t const *
fd_shmem_iter_next( fd_shmem_join_info_t const * iter ) {
  if( iter!=&iter_buf.info ) return NULL;  /* the end, or not this thread's walk */
  return iter_from( iter_buf.next );
}

FD_SHMEM_EXPORT int
fd_shmem_iter_done( fd_shmem_join_info_t const * iter ) {
  return !iter;
}

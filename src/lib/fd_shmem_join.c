/* Joins: mapping named regions into this process, reference counted,
   with join/leave callbacks; queries; anonymous joins; iteration.

   One mutex serializes the changes to the table, each made inside a
   write section (fd_shmem_join_tab.h); the queries take no lock, and
   neither does a leave that is not the last (reference counts change
   by atomic read-modify-write, see leave_shared).  The mutex is never
   held across a system call that maps memory or across a user
   callback: an entry whose callback runs is marked busy (ref_cnt -1,
   owner thread recorded); the same thread touching it again is a
   cycle, other threads wait on the condition variable until it
   settles. */

#include "fd_shmem_join_tab.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
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
    FD_SHMEM_LOG_WARN( "join %s: cannot lock its %s: RLIMIT_MEMLOCK is %s; continuing with unlocked pages "
                       "(raise the limit: LimitMEMLOCK= in the systemd unit, ulimit -l, or grant CAP_IPC_LOCK)",
                       name, fd_shmem_private_human( sz, s, sizeof(s) ),
                       fd_shmem_private_human( (size_t)lim.rlim_cur, l, sizeof(l) ) );
    return;
  }
  FD_SHMEM_LOG_WARN( "join %s: mlock failed (%s); continuing with unlocked pages", name, strerror( err ) );
}

/* Maps the region name into this process.  Returns the mapping or NULL
   (logged); *info gets the page geometry. */
static void *
map_region( char const * name, int mode, int dump, fd_shmem_info_t * info ) {
  int rw = mode==FD_SHMEM_JOIN_MODE_READ_WRITE;
  int fd;
  int err = fd_shmem_private_region_find( name, 0UL, rw ? O_RDWR : O_RDONLY, &fd, info );
  if( err ) {
    FD_SHMEM_LOG_WARN( "join %s: %s", name, err==ENOENT ? "no such region" : strerror( err ) );
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
    FD_SHMEM_LOG_WARN( "join %s: cannot map %zu bytes (%s)", name, sz, strerror( err ? err : ENOMEM ) );
    return NULL;
  }
  if( mlock( mem, sz ) ) warn_unlocked( name, sz, errno );
  if( !dump ) madvise( mem, sz, MADV_DONTDUMP );
  return mem;
}

/* ---- busy entries and reference counts ---- */

static long ref_load( join_ent_t const * ent ) { return SHARED_LOAD( &ent->info.ref_cnt ); }

#define SETTLED (0)
#define CYCLE   (1)
#define WAITED  (2)  /* ent may be gone or reused: look it up again */

/* With the lock held: SETTLED if no callback of ent runs, CYCLE if this
   very thread runs it, else waits for a change and returns WAITED. */
static int
wait_not_busy( join_ent_t * ent ) {
  if( ref_load( ent )!=-1L ) return SETTLED;
  if( pthread_equal( ent->busy_owner, pthread_self() ) ) return CYCLE;
  pthread_cond_wait( &join_cond, &join_lock );
  return WAITED;
}

/* In a write section. */
static void
mark_busy( join_ent_t * ent ) {
  SHARED_STORE( &ent->info.ref_cnt, -1L );
  ent->busy_owner = pthread_self();
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
ref_drop_shared( join_ent_t * ent ) {
  long r = ref_load( ent );
  if( ONE_THREAD() ) {
    if( r<=1L ) return 0;
    SHARED_STORE( &ent->info.ref_cnt, r-1L );
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
ref_add( join_ent_t * ent ) {
  if( ONE_THREAD() ) SHARED_STORE( &ent->info.ref_cnt, ref_load( ent )+1L );
  else               __atomic_fetch_add( &ent->info.ref_cnt, 1L, __ATOMIC_ACQ_REL );
}

static void
snapshot( fd_shmem_join_info_t * opt_info, join_ent_t const * ent ) {
  if( opt_info ) fd_shmem_private_join_snapshot( ent, opt_info );
}

/* With the lock held: forgets ent and wakes the threads waiting on it. */
static void
forget( join_ent_t * ent ) {
  fd_shmem_private_join_write_begin();
  fd_shmem_private_join_remove( ent );
  fd_shmem_private_join_write_end();
  pthread_cond_broadcast( &join_cond );
}

/* ---- join ---- */

/* A later join of an existing, settled entry, with the lock held (or
   from the process's only thread, see fd_shmem_join). */
static void *
join_again( join_ent_t * ent, int mode, fd_shmem_join_info_t * opt_info ) {
  if( mode==FD_SHMEM_JOIN_MODE_READ_WRITE && ent->info.mode!=FD_SHMEM_JOIN_MODE_READ_WRITE ) {
    FD_SHMEM_LOG_WARN( "join %s: already joined read-only; cannot also join it read-write", ent->info.name );
    return NULL;
  }
  ref_add( ent );
  snapshot( opt_info, ent );
  return ent->info.join;
}

/* With the lock held on entry and exit: maps, runs the join callback and
   settles the new entry ent (busy, indexed by name only).  Kept out of
   line: the hot path of fd_shmem_join is a later join. */
__attribute__(( noinline )) static void *
join_first( join_ent_t * ent, int mode, int dump, fd_shmem_joinleave_func_t join_func, void * ctx,
            fd_shmem_join_info_t * opt_info ) {
  char name[ FD_SHMEM_NAME_MAX ];
  memcpy( name, ent->info.name, sizeof(name) );
  pthread_mutex_unlock( &join_lock );

  fd_shmem_info_t geo;
  void * mem = map_region( name, mode, dump, &geo );

  pthread_mutex_lock( &join_lock );
  if( !mem ) { forget( ent ); return NULL; }
  fd_shmem_private_join_write_begin();
  SHARED_STORE( &ent->info.shmem,    mem          );
  SHARED_STORE( &ent->info.page_sz,  geo.page_sz  );
  SHARED_STORE( &ent->info.page_cnt, geo.page_cnt );
  SHARED_STORE( &ent->info.mode,     mode         );
  fd_shmem_private_join_index_addr( ent );
  fd_shmem_private_join_write_end();
  fd_shmem_join_info_t info;
  fd_shmem_private_join_snapshot( ent, &info );
  pthread_mutex_unlock( &join_lock );

  void * join = join_func ? join_func( ctx, &info ) : mem;

  pthread_mutex_lock( &join_lock );
  if( !join || fd_shmem_private_join_by_join( join ) ) {
    FD_SHMEM_LOG_WARN( "join %s: the join callback %s", name, join ? "returned a handle already in use" : "failed" );
    forget( ent );  /* before the range is free for others */
    munmap( mem, geo.page_sz*geo.page_cnt );
    return NULL;
  }
  fd_shmem_private_join_write_begin();
  SHARED_STORE( &ent->info.join,    join );
  SHARED_STORE( &ent->info.ref_cnt, 1L   );
  fd_shmem_private_join_index_join( ent );
  fd_shmem_private_join_write_end();
  snapshot( opt_info, ent );
  pthread_cond_broadcast( &join_cond );
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
    join_ent_t * ent = fd_shmem_private_join_by_name( key, len, hash );
    int state = ent ? wait_not_busy( ent ) : SETTLED;
    if( state==WAITED ) continue;
    if( state==CYCLE ) {
      FD_SHMEM_LOG_WARN( "join %s: called from its own join or leave callback (cycle)", name );
      break;
    }
    if( ent ) { join = join_again( ent, mode, opt_info ); break; }
    if( !fd_shmem_private_name_check( name ) ) { FD_SHMEM_LOG_WARN( "join: bad region name" ); break; }
    fd_shmem_private_join_write_begin();
    ent = fd_shmem_private_join_add( key, hash );
    if( ent ) mark_busy( ent );
    fd_shmem_private_join_write_end();
    if( !ent ) { FD_SHMEM_LOG_WARN( "join %s: too many regions joined (%lu)", name, FD_SHMEM_JOIN_MAX ); break; }
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
    FD_SHMEM_LOG_WARN( "join: bad region name" );
    return NULL;
  }
  if( !MODE_OK( mode ) ) {
    FD_SHMEM_LOG_WARN( "join %s: bad mode %d", name, mode );
    return NULL;
  }
  if( ONE_THREAD() ) {
    join_ent_t * ent = fd_shmem_private_join_by_name( &key, len, hash );
    if( ent && ref_load( ent )>=1L ) return join_again( ent, mode, opt_info );
  }
  return join_locked( name, &key, len, hash, mode, dump, join_func, ctx, opt_info );
}

/* The lock only serializes threads, and no callback runs with it held:
   in a process with one thread, a later join of a settled entry needs
   neither (a busy or missing entry takes the locked path).  That join,
   in a mode the entry allows, runs here and calls nothing; anything
   else starts over in join_slow. */
FD_SHMEM_EXPORT void *
fd_shmem_join( char const * name, int mode, int dump,
               fd_shmem_joinleave_func_t join_func, void * ctx,
               fd_shmem_join_info_t * opt_info ) {
  if( ONE_THREAD() && MODE_OK( mode ) ) {
    fd_shmem_private_name_t key;
    unsigned hash;
    size_t   len = fd_shmem_private_name_copy( name, &key, &hash );
    join_ent_t * ent = len ? fd_shmem_private_join_by_name( &key, len, hash ) : NULL;
    if( ent && ref_load( ent )>=1L && ( mode==FD_SHMEM_JOIN_MODE_READ_ONLY || SHARED_LOAD( &ent->info.mode )==mode ) ) {
      SHARED_STORE( &ent->info.ref_cnt, ref_load( ent )+1L );  /* the only thread: see ref_add */
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
  join_ent_t * ent;
  uint64_t     seq;
  do {
    seq = fd_shmem_private_join_read_begin();
    ent = fd_shmem_private_join_by_join( join );
  } while( !fd_shmem_private_join_read_done( seq ) );
  return ent && ref_drop_shared( ent );
}

/* With the lock held: finds the settled entry of handle join.  Returns
   it, or NULL after logging why not. */
static join_ent_t *
leave_lookup( void const * join, char const * what ) {
  for(;;) {
    join_ent_t * ent = fd_shmem_private_join_by_join( join );
    if( !ent ) { FD_SHMEM_LOG_WARN( "%s: %p is not a current join", what, join ); return NULL; }
    int state = wait_not_busy( ent );
    if( state==SETTLED ) return ent;
    if( state==CYCLE ) {
      FD_SHMEM_LOG_WARN( "%s %s: called from its own join or leave callback (cycle)", what, ent->info.name );
      return NULL;
    }
  }
}

/* The leave that may be the last, under the lock.  Kept out of line:
   a leave that is not the last takes no lock. */
__attribute__(( noinline )) static int
leave_locked( void * join, fd_shmem_joinleave_func_t leave_func, void * ctx ) {
  pthread_mutex_lock( &join_lock );
  join_ent_t * ent = leave_lookup( join, "leave" );
  if( ent && ent->anon && ref_load( ent )==1L ) {
    FD_SHMEM_LOG_WARN( "leave %s: an anonymous join ends with fd_shmem_leave_anonymous", ent->info.name );
    ent = NULL;
  }
  if( !ent ) { pthread_mutex_unlock( &join_lock ); return 1; }
  if( ref_drop_shared( ent ) ) {
    pthread_mutex_unlock( &join_lock );
    return 0;
  }

  fd_shmem_private_join_write_begin();
  mark_busy( ent );
  fd_shmem_private_join_write_end();
  fd_shmem_join_info_t info;
  fd_shmem_private_join_snapshot( ent, &info );
  pthread_mutex_unlock( &join_lock );

  if( leave_func ) leave_func( ctx, &info );

  /* Forget the entry before unmapping: once the range is free the kernel
     may hand it to a concurrent join, which must not find it taken. */
  pthread_mutex_lock( &join_lock );
  forget( ent );
  pthread_mutex_unlock( &join_lock );

  int bad = munmap( info.shmem, info.page_sz*info.page_cnt )!=0;
  if( bad ) FD_SHMEM_LOG_WARN( "leave %s: munmap failed (%s)", info.name, strerror( errno ) );
  return bad;
}

/* The whole leave: the lockless way when it works, else the lock. */
__attribute__(( noinline )) static int
leave_slow( void * join, fd_shmem_joinleave_func_t leave_func, void * ctx ) {
  if( !join ) { FD_SHMEM_LOG_WARN( "leave: NULL join" ); return 1; }
  if( leave_shared( join ) ) return 0;
  return leave_locked( join, leave_func, ctx );
}

/* With no writer about, a leave that is not the last takes one pass
   and calls nothing; anything else goes the whole way. */
FD_SHMEM_EXPORT int
fd_shmem_leave( void * join, fd_shmem_joinleave_func_t leave_func, void * ctx ) {
  uint64_t seq = SHARED_LOAD( &fd_shmem_private_join_tab.seq );
  if( join && !( seq & 1UL ) ) {
    join_ent_t * ent = fd_shmem_private_join_by_join( join );
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
  join_ent_t * ent;
  uint64_t     seq;
  do {
    seq = fd_shmem_private_join_read_begin();
    ent = fd_shmem_private_join_by_name( &key, len, hash );
    if( ent ) snapshot( opt_info, ent );
  } while( !fd_shmem_private_join_read_done( seq ) );
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
  uint64_t seq = SHARED_LOAD( &fd_shmem_private_join_tab.seq );
  if( len && !( seq & 1UL ) ) {
    join_ent_t * ent = fd_shmem_private_join_by_name( &key, len, hash );
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
  join_ent_t * ent;
  uint64_t     seq;
  do {
    seq = fd_shmem_private_join_read_begin();
    ent = fd_shmem_private_join_by_join( join );
    if( ent ) snapshot( opt_info, ent );
  } while( !fd_shmem_private_join_read_done( seq ) );
  return ent ? 0 : ENOENT;
}

FD_SHMEM_EXPORT int
fd_shmem_join_query_by_addr( void const * addr, size_t sz, fd_shmem_join_info_t * opt_info ) {
  if( !sz ) return ENOENT;
  uintptr_t a0 = (uintptr_t)addr;
  uintptr_t a1 = a0 + ( sz-1UL );
  if( a1<a0 ) return EINVAL;
  join_ent_t * ent;
  uint64_t     seq;
  do {
    seq = fd_shmem_private_join_read_begin();
    ent = fd_shmem_private_join_by_addr( a0, a1 );
    if( ent ) snapshot( opt_info, ent );
  } while( !fd_shmem_private_join_read_done( seq ) );
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
  fd_shmem_private_join_write_begin();
  join_ent_t * ent = taken ? NULL : fd_shmem_private_join_add( &key, hash );
  if( ent ) {
    ent->anon = 1;
    SHARED_STORE( &ent->info.ref_cnt,  1L       );
    SHARED_STORE( &ent->info.join,     join     );
    SHARED_STORE( &ent->info.shmem,    mem      );
    SHARED_STORE( &ent->info.page_sz,  page_sz  );
    SHARED_STORE( &ent->info.page_cnt, page_cnt );
    SHARED_STORE( &ent->info.mode,     mode     );
    fd_shmem_private_join_index_join( ent );
    fd_shmem_private_join_index_addr( ent );
  }
  fd_shmem_private_join_write_end();
  pthread_mutex_unlock( &join_lock );
  return ent ? 0 : EINVAL;
}

FD_SHMEM_EXPORT int
fd_shmem_leave_anonymous( void * join, fd_shmem_join_info_t * opt_info ) {
  if( !join ) return EINVAL;
  pthread_mutex_lock( &join_lock );
  join_ent_t * ent = fd_shmem_private_join_by_join( join );
  int ok = ent && ent->anon && ref_load( ent )==1L;
  if( ok ) {
    if( opt_info ) { fd_shmem_private_join_snapshot( ent, opt_info ); opt_info->ref_cnt = 0L; }
    forget( ent );
  }
  pthread_mutex_unlock( &join_lock );
  return ok ? 0 : EINVAL;
}

/* ---- iteration ---- */

static fd_shmem_join_info_t const *
iter_from( size_t idx ) {
  for( ; idx<FD_SHMEM_JOIN_MAX; idx++ )
    if( fd_shmem_private_join_tab.ent[ idx ].used ) return &fd_shmem_private_join_tab.ent[ idx ].info;
  return NULL;
}

FD_SHMEM_EXPORT fd_shmem_join_info_t const *
fd_shmem_iter_begin( void ) {
  return iter_from( 0UL );
}

FD_SHMEM_EXPORT fd_shmem_join_info_t const *
fd_shmem_iter_next( fd_shmem_join_info_t const * iter ) {
  if( !iter ) return NULL;
  join_ent_t const * ent = (join_ent_t const *)iter;  /* info is the entry's first member */
  return iter_from( (size_t)( ent - fd_shmem_private_join_tab.ent ) + 1UL );
}

FD_SHMEM_EXPORT int
fd_shmem_iter_done( fd_shmem_join_info_t const * iter ) {
  return !iter;
}

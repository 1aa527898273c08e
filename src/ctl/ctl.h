#ifndef FDSHMEM_SRC_CTL_CTL_H
#define FDSHMEM_SRC_CTL_CTL_H

/* fd_shmem_ctl internals: the run state and the command table. */

#include <fdshmem/fd_shmem.h>

#include <stddef.h>

#define CTL_WHY_MAX (512)

typedef struct {
  int  json;
  int  quiet;
  int  dry_run;   /* apply: print the actions, change nothing */
  char why[ CTL_WHY_MAX ];  /* why the current command failed; "" = use the library's last word */
} ctl_t;

/* A command handler gets exactly the arguments the table asks for and
   returns 0, or an errno value (ctl->why may explain it). */
typedef int (*ctl_handler_t)( ctl_t * ctl, char ** argv );

/* A command takes argc arguments, or argc+opt_argc when the word after
   it is not itself a command name (then run_opt runs).  The argument
   vector a handler gets is NULL-terminated. */
typedef struct {
  char const *  name;
  int           argc;
  int           opt_argc;
  ctl_handler_t run;
  ctl_handler_t run_opt;
  char const *  args;   /* for the usage text */
  char const *  help;
} ctl_cmd_t;

/* The command table (ctl_cmds.c), ended by an entry with a NULL name. */
extern ctl_cmd_t const ctl_cmds[];
ctl_cmd_t const * ctl_cmd_find( char const * name );
void              ctl_usage( void );

/* Strict parsers (ctl_parse.c): the whole string, no sign, no junk, no
   overflow.  Return 0 or EINVAL. */
int ctl_parse_dec  ( char const * s, size_t * out );
int ctl_parse_octal( char const * s, unsigned long * out, unsigned long max );
/* Huge or gigantic page size by name or byte count; EINVAL otherwise
   (normal pages have no pool). */
int ctl_parse_pool_type( char const * s, size_t * page_sz );

/* Sets ctl->why (printf-style) and returns err. */
int ctl_fail( ctl_t * ctl, int err, char const * fmt, ... ) __attribute__(( format( printf, 3, 4 ) ));
/* Progress for a person: to stderr unless --quiet. */
void ctl_note( ctl_t const * ctl, char const * fmt, ... ) __attribute__(( format( printf, 2, 3 ) ));

/* Command handlers. */
int ctl_cmd_help     ( ctl_t * ctl, char ** argv );
int ctl_cmd_cpu_cnt  ( ctl_t * ctl, char ** argv );
int ctl_cmd_numa_cnt ( ctl_t * ctl, char ** argv );
int ctl_cmd_cpu_idx  ( ctl_t * ctl, char ** argv );
int ctl_cmd_numa_idx ( ctl_t * ctl, char ** argv );
int ctl_cmd_create   ( ctl_t * ctl, char ** argv );
int ctl_cmd_unlink   ( ctl_t * ctl, char ** argv );
int ctl_cmd_query_one( ctl_t * ctl, char ** argv );
int ctl_cmd_init     ( ctl_t * ctl, char ** argv );
int ctl_cmd_fini     ( ctl_t * ctl, char ** argv );
int ctl_cmd_alloc    ( ctl_t * ctl, char ** argv );
int ctl_cmd_free     ( ctl_t * ctl, char ** argv );
int ctl_cmd_reset    ( ctl_t * ctl, char ** argv );
int ctl_cmd_report   ( ctl_t * ctl, char ** argv );
int ctl_cmd_apply    ( ctl_t * ctl, char ** argv );
int ctl_cmd_check    ( ctl_t * ctl, char ** argv );

#endif /* FDSHMEM_SRC_CTL_CTL_H */

#ifndef FDSHMEM_SRC_CTL_CTL_H
#define FDSHMEM_SRC_CTL_CTL_H

/* fd_shmem_ctl internals: the run state and the command table. */

#include "ctl_words.h"

#include <fdshmem/fd_shmem.h>

#include <stddef.h>
#include <stdio.h>

/* Room for a reason that quotes two paths and a file name whole; a
   longer one is cut in its middle (ctl_fail), never at its end. */
#define CTL_WHY_MAX (3*4096)

typedef struct ctl_run {
  int  json;
  int  json_said;  /* the command's JSON output says its failure: no error object after it */
  int  quiet;
  int  dry_run;   /* every command: check, say what would be done, change nothing */
  int  path_given;  /* --shmem-path or FD_SHMEM_PATH named the domain */
  char why[ CTL_WHY_MAX ];  /* why the current command failed; "" = use the library's last word */
} ctl_t;

/* Each command's arguments, parsed and checked for the whole command
   line before any command runs (so a typo at the end leaves nothing
   half-done).  Checked means resolved against the machine as far as
   reading it tells: users and groups exist, nodes exist and have the
   pool named, page sizes are offered, counts fit in their node, files
   read and parse.  What depends on the commands before it (the domain,
   its regions, pages in use) is left to the handler.  A command's
   parser fills one member of the union in ctl_args_t and its handler
   reads only that member: the command table pairs them. */

/* cpu-idx NUMA, numa-idx CPU */
typedef struct {
  size_t idx;
} ctl_topo_args_t;

/* create NAME PAGE_CNT PAGE_SZ CPU_SEQ MODE */
typedef struct {
  char const *   name;
  size_t         page_cnt;
  size_t         page_sz;
  char const *   cpu_seq;  /* as written, for messages */
  size_t         cpu_cnt;
  size_t const * cpu_idx;  /* cpu_seq's cpus in order, each one that exists: ctl_args_t.owned */
  unsigned long  mode;
} ctl_create_args_t;

/* unlink NAME PAGE_SZ, query [NAME PAGE_SZ] */
typedef struct {
  char const * name;
  size_t       page_sz;  /* 0: any type */
} ctl_region_args_t;

/* init PERM USER GROUP */
typedef struct {
  unsigned long perm;
  char const *  user;   /* "": unchanged */
  char const *  group;  /* "": unchanged */
} ctl_init_args_t;

/* alloc CNT TYPE NUMA, free TYPE NUMA (a CNT of 0) */
typedef struct {
  size_t cnt;
  size_t page_sz;  /* huge or gigantic */
  size_t numa_idx;
} ctl_pool_args_t;

/* apply, check, kernel-cmdline, metrics [FILE] */
typedef struct {
  char const * path;  /* FILE, or the default config file (metrics: NULL when there is none) */
} ctl_conf_args_t;

typedef struct {
  int    given;  /* the optional arguments were given */
  void * owned;  /* memory the parser allocated for the handler (ctl_steps_free) */
  union {
    ctl_topo_args_t   topo;
    ctl_create_args_t create;
    ctl_region_args_t region;
    ctl_init_args_t   init;
    ctl_pool_args_t   pool;
    ctl_conf_args_t   conf;
  };
} ctl_args_t;

/* Fills the command's member of args from its argc (or argc+opt_argc,
   then args->given is set) words, changing nothing on the machine (it
   may be called more than once for the same words).  Returns 0, or an
   errno value (EINVAL for a bad value) with ctl->why set and nothing
   left in args->owned. */
typedef int (*ctl_parser_t)( ctl_t * ctl, char ** argv, ctl_args_t * args );
/* Runs the command.  Returns 0, or an errno value (ctl->why may explain it). */
typedef int (*ctl_handler_t)( ctl_t * ctl, ctl_args_t const * args );

/* How a command holds the host-wide lock of the tool (ctl_lock.c): a
   line takes the strongest its commands need, once, before the first
   runs. */
#define CTL_LOCK_NONE      (0)  /* looks at nothing the tool changes (help) */
#define CTL_LOCK_SHARED    (1)  /* reads, or changes one region (atomic in the library); any --dry-run line */
#define CTL_LOCK_EXCLUSIVE (2)  /* may change a domain or a pool */

/* A command takes argc arguments, or argc+opt_argc when the word after
   it is not itself a command name.  parse is NULL for a command that
   takes none. */
typedef struct {
  char const *  name;
  int           lock;  /* CTL_LOCK_* */
  int           argc;
  int           opt_argc;
  ctl_parser_t  parse;
  ctl_handler_t run;
  char const *  args;   /* for the usage text */
  char const *  help;
} ctl_cmd_t;

/* The command table (ctl_cmds.c), ended by an entry with a NULL name. */
extern ctl_cmd_t const ctl_cmds[];
ctl_cmd_t const * ctl_cmd_find( char const * name );
void              ctl_usage( void );

/* The host-wide lock, taken by root for the rest of the process (the
   kernel drops it when the process ends, killed or not): lock is
   CTL_LOCK_SHARED or CTL_LOCK_EXCLUSIVE.  Waits for a holder that
   conflicts, saying so unless --quiet.  Another user takes none (the
   lock guards what only root may change) and gets 0.  Returns 0, or an
   errno value with ctl->why set when the lock is unsafe or cannot be
   made: then nothing may run. */
#define CTL_LOCK_DIR  "/run/fdshmem"
#define CTL_LOCK_PATH CTL_LOCK_DIR "/ctl.lock"
int ctl_lock_take( ctl_t * ctl, int lock );

/* One command of the line, ready to run. */
typedef struct {
  ctl_cmd_t const * cmd;
  char **           argv;  /* the command word, then its arguments */
  int               argc;  /* 1 + the number of arguments */
  ctl_args_t        args;
} ctl_step_t;

/* What ctl_line_parse found. */
#define CTL_LINE_RUN     (0)  /* *step_cnt steps to run */
#define CTL_LINE_HELP    (1)  /* --help */
#define CTL_LINE_VERSION (2)  /* --version */
#define CTL_LINE_USAGE   (3)  /* the line is malformed: ctl->why says how */
#define CTL_LINE_BAD_ARG (4)  /* steps[ *step_cnt ] has a bad argument: ctl->why says which */

/* Parses the options, wherever they stand (into ctl; --shmem-path is
   applied with fd_shmem_set_path), moves the other words of argv, in
   order, to argv[1..] and splits them into steps, each with its
   arguments parsed.  steps has room for argc entries; whatever the
   status, ctl_steps_free( steps, *step_cnt ) frees what the parsed
   steps hold.  Changes nothing on the machine; may be called again
   (getopt is reset). */
int  ctl_line_parse( int argc, char ** argv, ctl_t * ctl, ctl_step_t * steps, int * step_cnt );
void ctl_steps_free( ctl_step_t * steps, int step_cnt );

/* The library's messages (ctl_log.c): ctl_log_capture routes them to
   the tool; ctl_warnings_flush writes the warnings kept so far to
   stderr (unless --quiet); ctl_report_failure writes them and then one
   line naming the failed command (argv[0..argc)) and why: ctl->why, the
   library's reason, or strerror(err). */
void ctl_log_capture   ( ctl_t * ctl );
void ctl_warnings_flush( ctl_t const * ctl );
void ctl_warnings_drop_last( void );  /* the library's reason's line: the tool's own message says it better */
/* The library's words for its failure that returned err (the text of
   its reason), "" if it has none. */
char const * ctl_reason_words( int err );
/* Keeps those words among the warnings: the answer of a check call,
   which logs nothing, shown as the call itself would have said it. */
void ctl_warnings_add_reason( int err );
void ctl_report_failure( ctl_t const * ctl, int err, char ** argv, int argc );
/* err, or, if it is the EIO the library returns for a system error
   outside a function's closed set, that error (its reason's sys_err,
   if it failed since the last flush or failure report). */
int  ctl_real_err( int err );
/* What an admin can do about a plain system error as root: a read-only
   file system, a name too long, a refusal (NULL: nothing to add). */
char const * ctl_remedy( int err );

/* JSON (ctl_json.c).  ctl_json_str writes s to f as a JSON string, as
   the text output shows it (bytes outside printable ASCII as \xHH), so
   the output is valid JSON, in ASCII, whatever bytes s holds.
   ctl_json_error writes the object --json prints on stdout, alone, when
   a command fails: { "error": { "command", "errno", "message" } }. */
void ctl_json_str  ( FILE * f, char const * s );
void ctl_json_error( char ** argv, int argc, int err, char const * message );

/* Messages (ctl_msg.c).  A message (printf-style), whole, allocated: free it (NULL: out of memory). */
char * ctl_msg_new( char const * fmt, ... ) __attribute__(( format( printf, 1, 2 ) ));
/* Sets ctl->why (printf-style) and returns err. */
int ctl_fail( ctl_t * ctl, int err, char const * fmt, ... ) __attribute__(( format( printf, 3, 4 ) ));
/* Progress for a person: to stderr unless --quiet. */
void ctl_note( ctl_t const * ctl, char const * fmt, ... ) __attribute__(( format( printf, 2, 3 ) ));

/* What the argument parsers share (ctl_args.c).  ctl_bad_arg fails
   naming the argument what, its value (escaped and cut) and problem
   (which reads after the value, or starts with ':'); ctl_negative is 1
   for a '-' and a digit (the option parser passed it on as a word),
   which ctl_bad_negative refuses as not a noun; ctl_parse_count reads
   a decimal count, ctl_parse_mode octal permissions, each failing with
   ctl->why set; ctl_page_sz_offered is 1 unless no node has a pool of page_sz, which
   ctl_not_offered says; ctl_parse_page_sz_or_any reads PAGE_SZ where
   "0" means any (0 or EINVAL). */
int  ctl_bad_arg     ( ctl_t * ctl, char const * what, char const * s, char const * problem );
int  ctl_negative    ( char const * s );
int  ctl_bad_negative( ctl_t * ctl, char const * what, char const * s, char const * noun );
int  ctl_parse_count ( ctl_t * ctl, char const * what, char const * noun, char const * s, size_t * out );
int  ctl_parse_mode  ( ctl_t * ctl, char const * what, char const * s, unsigned long * mode );
int  ctl_page_sz_offered( size_t page_sz );
int  ctl_not_offered    ( ctl_t * ctl, char const * what, char const * s, size_t page_sz );
int  ctl_parse_page_sz_or_any( char const * s, size_t * page_sz );

/* Argument parsers, each in its command's file. */
int ctl_parse_numa    ( ctl_t * ctl, char ** argv, ctl_args_t * args );
int ctl_parse_cpu     ( ctl_t * ctl, char ** argv, ctl_args_t * args );
int ctl_parse_create  ( ctl_t * ctl, char ** argv, ctl_args_t * args );
int ctl_parse_region  ( ctl_t * ctl, char ** argv, ctl_args_t * args );
int ctl_parse_query   ( ctl_t * ctl, char ** argv, ctl_args_t * args );
int ctl_parse_init    ( ctl_t * ctl, char ** argv, ctl_args_t * args );
int ctl_parse_alloc   ( ctl_t * ctl, char ** argv, ctl_args_t * args );
int ctl_parse_free    ( ctl_t * ctl, char ** argv, ctl_args_t * args );
int ctl_parse_file    ( ctl_t * ctl, char ** argv, ctl_args_t * args );
int ctl_parse_conf    ( ctl_t * ctl, char ** argv, ctl_args_t * args );
int ctl_parse_metrics ( ctl_t * ctl, char ** argv, ctl_args_t * args );

/* Command handlers. */
int ctl_cmd_help     ( ctl_t * ctl, ctl_args_t const * args );
int ctl_cmd_cpu_cnt  ( ctl_t * ctl, ctl_args_t const * args );
int ctl_cmd_numa_cnt ( ctl_t * ctl, ctl_args_t const * args );
int ctl_cmd_cpu_idx  ( ctl_t * ctl, ctl_args_t const * args );
int ctl_cmd_numa_idx ( ctl_t * ctl, ctl_args_t const * args );
int ctl_cmd_create   ( ctl_t * ctl, ctl_args_t const * args );
int ctl_cmd_unlink   ( ctl_t * ctl, ctl_args_t const * args );
int ctl_cmd_query    ( ctl_t * ctl, ctl_args_t const * args );
int ctl_cmd_init     ( ctl_t * ctl, ctl_args_t const * args );
int ctl_cmd_fini     ( ctl_t * ctl, ctl_args_t const * args );
int ctl_cmd_alloc    ( ctl_t * ctl, ctl_args_t const * args );
int ctl_cmd_reset    ( ctl_t * ctl, ctl_args_t const * args );
int ctl_cmd_apply    ( ctl_t * ctl, ctl_args_t const * args );
int ctl_cmd_check    ( ctl_t * ctl, ctl_args_t const * args );
int ctl_cmd_kernel_cmdline( ctl_t * ctl, ctl_args_t const * args );
int ctl_cmd_metrics  ( ctl_t * ctl, ctl_args_t const * args );

/* The number of differences check [FILE] lists (ctl_apply.c).  Returns
   0, or an errno value with ctl->why set. */
int ctl_check_differences( ctl_t * ctl, char const * fname, size_t * cnt );

/* Appends " hugepagesz=SZ_WORD hugepages=..." to line (line_sz bytes)
   for cnt[0..numa_cnt) pages per node: the per-node form N:C,... when
   per_node and there is more than one node, else the total; nothing
   when every count is 0 (ctl_cmdline.c). */
void ctl_cmdline_type( char * line, size_t line_sz, char const * sz_word, size_t const * cnt, size_t numa_cnt,
                       int per_node );

/* The report of the domain (query without arguments; ctl_report.c). */
int ctl_report( ctl_t * ctl );

#endif /* FDSHMEM_SRC_CTL_CTL_H */

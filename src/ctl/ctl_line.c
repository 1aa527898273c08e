/* fd_shmem_ctl's command line: options anywhere, then commands with
   their arguments, all parsed and checked before anything runs. */

#include "ctl.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_SHOWN (200)  /* bytes of a path quoted in a usage message */

static int
bad_path( ctl_t * ctl, char const * from, char const * path ) {
  ctl_fail( ctl, 0, "%s \"%.*s%s\": an absolute directory path (no . or .. in it) is needed", from, PATH_SHOWN, path,
            strlen( path )>PATH_SHOWN ? "..." : "" );
  return CTL_LINE_USAGE;
}

/* The word getopt stopped at: a short option's error is at its word's
   first letter (the tool has no short options), and getopt stays on a
   word of more letters; otherwise it has gone past the word. */
static char const *
failed_word( int argc, char ** argv ) {
  char const * cur = optind<argc ? argv[ optind ] : "";
  if( optopt && cur[0]=='-' && cur[1]==optopt && cur[2] ) return cur;
  return argv[ optind-1 ];
}

static int
bad_option( ctl_t * ctl, char const * word ) {
  char buf[ 84 ];
  ctl_fail( ctl, 0, "unknown option or missing value: \"%s\" (try: fd_shmem_ctl --help)",
            ctl_cut( word, buf, sizeof(buf) ) );
  return CTL_LINE_USAGE;
}

/* A word of a '-' and a digit is a negative number, never an option:
   its command's parser names it and says numbers cannot be negative. */
static int
negative_number( char const * word ) {
  return word[0]=='-' && word[1]>='0' && word[1]<='9';
}

/* How the domain was named so far: FD_SHMEM_PATH, then each
   --shmem-path, compared as the library keeps them (trailing slashes
   do not count). */
typedef struct {
  char const * env;     /* FD_SHMEM_PATH, or NULL */
  char const * option;  /* the first --shmem-path, or NULL */
  char *       kept;    /* fd_shmem_path() as the first of them set it */
} path_named_t;

/* Sets the domain from --shmem-path: refused when an earlier
   --shmem-path named another (which one was meant?); one that differs
   from FD_SHMEM_PATH overrides it, as documented, and is noted. */
static int
path_option( ctl_t * ctl, path_named_t * named, char const * path, int * overrides_env ) {
  if( fd_shmem_set_path( path ) ) return bad_path( ctl, "--shmem-path", path );
  ctl->path_given = 1;
  int differs = named->kept && strcmp( named->kept, fd_shmem_path() );
  if( differs && named->option ) {
    char const * first = named->option;
    ctl_fail( ctl, 0, "--shmem-path given twice, \"%.*s%s\" and \"%.*s%s\": give one", PATH_SHOWN, first,
              strlen( first )>PATH_SHOWN ? "..." : "", PATH_SHOWN, path, strlen( path )>PATH_SHOWN ? "..." : "" );
    return CTL_LINE_USAGE;
  }
  *overrides_env |= differs;
  if( named->option ) return CTL_LINE_RUN;
  named->option = path;
  free( named->kept );
  named->kept = strdup( fd_shmem_path() );
  if( !named->kept ) { ctl_fail( ctl, 0, "out of memory" ); return CTL_LINE_USAGE; }
  return CTL_LINE_RUN;
}

/* Handles every option wherever it stands (a region name, a number or
   a cpu sequence never starts with '-'; "--" ends the options) and
   moves the other words, in order, to argv[1..1+*word_cnt). */
static int
parse_options( int argc, char ** argv, ctl_t * ctl, int * word_cnt ) {
  static struct option const opts[] = {
    { "shmem-path", required_argument, NULL, 'p' },
    { "json",       no_argument,       NULL, 'j' },
    { "quiet",      no_argument,       NULL, 'q' },
    { "dry-run",    no_argument,       NULL, 'n' },
    { "version",    no_argument,       NULL, 'V' },
    { "help",       no_argument,       NULL, 'h' },
    { NULL, 0, NULL, 0 }
  };
  /* An unusable FD_SHMEM_PATH is refused as the same --shmem-path is,
     never replaced by the default (empty means unset). */
  path_named_t named = { .env = getenv( "FD_SHMEM_PATH" ) };
  if( named.env && !named.env[0] ) named.env = NULL;
  if( named.env && fd_shmem_set_path( named.env ) ) return bad_path( ctl, "FD_SHMEM_PATH", named.env );
  ctl->path_given = !!named.env;
  if( named.env ) named.kept = strdup( fd_shmem_path() );
  /* getopt reads a copy in which a negative number lacks its '-', so it
     comes back as a word; the word is then taken from argv whole. */
  char ** words = calloc( (size_t)argc+1UL, sizeof(char *) );
  char ** seen  = calloc( (size_t)argc+1UL, sizeof(char *) );
  if( !words || !seen || ( named.env && !named.kept ) ) {
    free( words ); free( seen ); free( named.kept );
    ctl_fail( ctl, 0, "out of memory" );
    return CTL_LINE_USAGE;
  }
  for( int i=0; i<argc; i++ ) seen[i] = argv[i] + ( i && negative_number( argv[i] ) );
  int n = 0, status = CTL_LINE_RUN, overrides_env = 0;
  optind = 0;  /* a full getopt reset, for callers that parse twice */
  opterr = 0;  /* the messages are ours */
  /* "-": each word that is not an option comes back in order as code 1,
     whatever POSIXLY_CORRECT says. */
  for( int c; status==CTL_LINE_RUN && ( c = getopt_long( argc, seen, "-", opts, NULL ) )!=-1; ) {
    char * arg = optarg && optarg==seen[ optind-1 ] ? argv[ optind-1 ] : optarg;  /* the word as given */
    switch( c ) {
    case 1:   words[ n++ ] = arg; break;
    case 'p': status = path_option( ctl, &named, arg, &overrides_env ); break;
    case 'j': ctl->json    = 1; break;
    case 'q': ctl->quiet   = 1; break;
    case 'n': ctl->dry_run = 1; break;
    case 'V': status = CTL_LINE_VERSION; break;
    case 'h': status = CTL_LINE_HELP;    break;
    default:  /* '?': an unknown option, or --shmem-path without its value */
      status = bad_option( ctl, failed_word( argc, argv ) );
    }
  }
  if( status==CTL_LINE_RUN ) {
    while( optind<argc ) words[ n++ ] = argv[ optind++ ];  /* after "--" */
    memcpy( argv+1, words, (size_t)n*sizeof(char *) );
    *word_cnt = n;
    if( overrides_env ) ctl_note( ctl, "--shmem-path %s overrides FD_SHMEM_PATH=%s", fd_shmem_path(), named.env );
  }
  free( words );
  free( seen );
  free( named.kept );
  return status;
}

/* How the words split into commands.  A command with optional
   arguments takes them when the next word is no command, or starts one
   that lacks words, or starts one followed by a word that is no command
   either: "query help 0" asks about the region "help".  It does not
   take them when the next command reads complete (its arguments are
   valid and the line ends or a command follows: "query cpu-cnt" is the
   report, then cpu-cnt), nor when that command's arguments are there
   but wrong: then that command's error is reported, and a typo never
   turns the line into another one.  Decided from the last word back,
   each word once. */
typedef struct {
  char ** w;
  int     n;
  int *   len;    /* words command w[i] consumes after itself; -1: w[i] is no command */
  char *  given;  /* w[i] takes its optional arguments */
} split_t;

/* 1 if the word at i leaves the optional arguments before it to be
   taken: see above. */
static int
leaves_args( split_t const * s, int i ) {
  if( s->len[i]<0 || i+1+s->len[i]>s->n ) return 1;
  ctl_cmd_t const * cmd = ctl_cmd_find( s->w[i] );
  ctl_t      scratch = { 0 };
  ctl_args_t args    = { .given = s->given[i] };
  int bad = cmd->parse && cmd->parse( &scratch, s->w+i+1, &args );
  free( args.owned );
  if( bad ) return 0;
  int next = i+1+s->len[i];
  return next<s->n && s->len[ next ]<0;
}

static void
split_words( split_t * s ) {
  for( int i=s->n-1; i>=0; i-- ) {
    ctl_cmd_t const * cmd = ctl_cmd_find( s->w[i] );
    s->len[i] = -1;
    if( !cmd ) continue;
    s->given[i] = cmd->opt_argc && i+1<s->n && leaves_args( s, i+1 );
    s->len[i]   = cmd->argc + ( s->given[i] ? cmd->opt_argc : 0 );
  }
}

static int
parse_steps( ctl_t * ctl, split_t const * s, ctl_step_t * steps, int * step_cnt ) {
  for( int i=0; i<s->n; ) {
    ctl_cmd_t const * cmd = ctl_cmd_find( s->w[i] );
    if( !cmd ) {
      char buf[ 84 ];
      ctl_fail( ctl, 0, "unknown command \"%s\" (try: fd_shmem_ctl help)", ctl_cut( s->w[i], buf, sizeof(buf) ) );
      return CTL_LINE_USAGE;
    }
    int n = s->len[i];
    if( s->n-i-1<n ) {
      ctl_fail( ctl, 0, "%s: needs %d argument%s: %s %s", cmd->name, n, n==1 ? "" : "s", cmd->name, cmd->args );
      return CTL_LINE_USAGE;
    }
    ctl_step_t * step = &steps[ *step_cnt ];
    memset( step, 0, sizeof(*step) );
    step->cmd        = cmd;
    step->argv       = s->w+i;
    step->argc       = n+1;
    step->args.given = s->given[i];
    if( cmd->parse && cmd->parse( ctl, s->w+i+1, &step->args ) ) return CTL_LINE_BAD_ARG;
    ( *step_cnt )++;
    i += n+1;
  }
  return CTL_LINE_RUN;
}

int
ctl_line_parse( int argc, char ** argv, ctl_t * ctl, ctl_step_t * steps, int * step_cnt ) {
  *step_cnt = 0;
  int word_cnt = 0;
  int status = parse_options( argc, argv, ctl, &word_cnt );
  if( status!=CTL_LINE_RUN ) return status;
  split_t s = { argv+1, word_cnt, calloc( (size_t)word_cnt+1UL, sizeof(int) ), calloc( (size_t)word_cnt+1UL, 1UL ) };
  if( !s.len || !s.given ) { ctl_fail( ctl, 0, "out of memory" ); status = CTL_LINE_USAGE; }
  else {
    split_words( &s );
    status = parse_steps( ctl, &s, steps, step_cnt );
  }
  free( s.len );
  free( s.given );
  return status;
}

void
ctl_steps_free( ctl_step_t * steps, int step_cnt ) {
  for( int i=0; i<step_cnt; i++ ) {
    free( steps[i].args.owned );
    steps[i].args.owned = NULL;
  }
}

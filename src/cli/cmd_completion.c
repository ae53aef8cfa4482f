/*
 * cli: `projsync completion bash|zsh|fish` — print a shell completion
 * script.  The script is generated from the command table and from each
 * command's own `--help` (captured, then parsed), so a command or an
 * option added anywhere is completed without touching this file; the
 * build writes the installed scripts with it, and tests/cli/t-completion.sh
 * checks them against `--help` with a parser of its own.
 *
 * What is completed: commands; global and per-command options; the values
 * of an option whose synopsis lists them (`--format text|json`); file
 * names where a FILE or PLANFILE is expected, directories for a PATH; and
 * the operands a synopsis names (FILE..., COMMAND, `bash|zsh|fish`).
 */
#include "cli/cli.h"

#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What a value or an operand is. */
enum comp_kind {
	COMP_NONE,	/* free text: complete nothing */
	COMP_FILE,
	COMP_DIR,
	COMP_WORDS,	/* one of `words` */
	COMP_COMMAND,	/* a projsync command */
};

struct comp_opt {
	char *shrt, *lng;	/* "-o", "--out"; either may be NULL */
	bool takes_value;	/* a required value (FILE, FORMAT, N) */
	enum comp_kind kind;	/* of the value */
	char *words;		/* COMP_WORDS: space-separated */
	char *desc;		/* first line of the help text */
};

struct comp_cmd {
	const char *name, *desc;
	struct comp_opt *opts;	/* its own options, without the globals */
	size_t nr, alloc;
	enum comp_kind operand;
	char *operand_words;
};

struct comp_model {
	struct comp_cmd *cmds;
	size_t nr;
	struct comp_opt *globals;
	size_t globals_nr, globals_alloc;
};

static const char completion_help[] =
    "  SHELL                 bash, zsh or fish; e.g. in ~/.bashrc:\n"
    "                        source <(projsync completion bash)\n";

/* ---- capturing a command's --help ---- */

/*
 * Run `NAME --help` with stdout sent to a temporary file and return what
 * it printed.  The commands print help through cli_print_help(stdout),
 * so this is the exact text a user sees.
 */
static int
capture_help(struct ps_buf *out, const struct cli_command *c,
    struct cli_ctx *ctx)
{
	char *argv[] = { (char *)c->name, "--help", NULL };
	struct cli_ctx sub = *ctx;
	FILE *tmp;
	char chunk[4096];
	size_t n;
	int saved, rc;

	if (!(tmp = tmpfile()))
		return ps_error(PS_EFAIL, "cannot create a temporary file");
	fflush(stdout);
	if ((saved = dup(STDOUT_FILENO)) < 0 ||
	    dup2(fileno(tmp), STDOUT_FILENO) < 0) {
		if (saved >= 0)
			close(saved);
		fclose(tmp);
		return ps_error(PS_EFAIL, "cannot redirect standard output");
	}
	sub.cmd = c->name;
	optind = 0;
	rc = c->fn(2, argv, &sub);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(tmp);
	while ((n = fread(chunk, 1, sizeof(chunk), tmp)) > 0)
		ps_buf_add(out, chunk, n);
	fclose(tmp);
	if (rc != EXIT_OK)
		return ps_error(PS_EFAIL, "'projsync %s --help' exited %d",
		    c->name, rc);
	return 0;
}

/* ---- parsing help and synopses ---- */

static enum comp_kind
placeholder_kind(const char *ph)
{
	size_t n = strlen(ph);

	if (n >= 4 && !strcmp(ph + n - 4, "FILE"))
		return COMP_FILE;	/* FILE, PLANFILE */
	if (!strcmp(ph, "PATH") || !strcmp(ph, "DIR"))
		return COMP_DIR;
	if (!strcmp(ph, "COMMAND"))
		return COMP_COMMAND;
	return COMP_NONE;
}

static struct comp_opt *
opt_find(struct comp_opt *opts, size_t nr, const char *name)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if ((opts[i].lng && !strcmp(opts[i].lng, name)) ||
		    (opts[i].shrt && !strcmp(opts[i].shrt, name)))
			return &opts[i];
	return NULL;
}

/*
 * One option line of a help text: "  -o, --out PLANFILE    desc",
 * "      --from-history[=REV]", "      --record-repo PATH".  Returns false
 * for any other line.
 */
static bool
parse_option_line(struct comp_opt *o, const char *line)
{
	const char *p = line, *e;

	memset(o, 0, sizeof(*o));
	if (strncmp(p, "  ", 2) != 0)
		return false;
	while (*p == ' ')
		p++;
	if (*p != '-')
		return false;
	for (;;) {
		char *name;

		for (e = p; *e && *e != ' ' && *e != ',' && *e != '['; e++)
			;
		name = xstrndup(p, (size_t)(e - p));
		if (name[1] == '-')
			o->lng = name;
		else
			o->shrt = name;
		p = e;
		if (*p == '[') {		/* an optional value: none */
			while (*p && *p != ' ')
				p++;
		}
		if (p[0] == ',' && p[1] == ' ' && p[2] == '-') {
			p += 2;
			continue;
		}
		break;
	}
	/* a value placeholder is one upper-case word after one space */
	if (p[0] == ' ' && isupper((unsigned char)p[1])) {
		char *ph;

		for (e = ++p; *e && *e != ' '; e++)
			;
		ph = xstrndup(p, (size_t)(e - p));
		o->takes_value = true;
		o->kind = placeholder_kind(ph);
		free(ph);
		p = e;
	}
	while (*p == ' ')
		p++;
	o->desc = xstrdup(p);
	return o->lng || o->shrt;
}

static void
opt_release(struct comp_opt *o)
{
	free(o->shrt);
	free(o->lng);
	free(o->words);
	free(o->desc);
}

/* "text|json|sarif" → "text json sarif"; NULL unless it is a word list. */
static char *
word_list(const char *tok, size_t len)
{
	char *w;
	size_t i;

	if (!memchr(tok, '|', len))
		return NULL;
	for (i = 0; i < len; i++)
		if (!islower((unsigned char)tok[i]) &&
		    !isdigit((unsigned char)tok[i]) && tok[i] != '-' &&
		    tok[i] != '|')
			return NULL;
	w = xstrndup(tok, len);
	for (i = 0; i < len; i++)
		if (w[i] == '|')
			w[i] = ' ';
	return w;
}

/*
 * Read a synopsis ("plan [-o PLANFILE] [--format text|json|markdown]"):
 * the value lists of options, into opts, and what the operands are.
 */
static void
parse_synopsis(const char *s, struct comp_opt *opts, size_t nr,
    enum comp_kind *operand, char **operand_words)
{
	const char *p = s;

	while (*p) {
		const char *b, *e;
		struct comp_opt *o;
		char *name;

		if (*p == ' ' || *p == '[' || *p == ']' || *p == '|') {
			p++;
			continue;
		}
		for (e = p; *e && *e != ' ' && *e != '[' && *e != ']'; e++)
			;
		if (*p != '-') {
			/* an operand: FILE..., PLANFILE, COMMAND, bash|zsh|fish */
			char *tok = xstrndup(p, (size_t)(e - p));
			char *w = word_list(p, (size_t)(e - p));
			enum comp_kind k;

			tok[strcspn(tok, ".")] = '\0';
			k = w ? COMP_WORDS : placeholder_kind(tok);
			if (k != COMP_NONE && *operand == COMP_NONE) {
				*operand = k;
				*operand_words = w;
				w = NULL;
			}
			free(w);
			free(tok);
			p = e;
			continue;
		}
		name = xstrndup(p, (size_t)(e - p));
		o = opt_find(opts, nr, name);
		free(name);
		p = e;
		if (*p != ' ' || p[1] == '[' || p[1] == '-' || p[1] == '|')
			continue;
		for (b = ++p, e = b; *e && *e != ' ' && *e != ']'; e++)
			;
		if (o && o->takes_value && !o->words &&
		    (o->words = word_list(b, (size_t)(e - b))))
			o->kind = COMP_WORDS;
		p = e;
	}
}

/* Split a help text into the command's options and the globals. */
static void
parse_help(struct comp_model *m, struct comp_cmd *cmd, const char *text)
{
	const char *line = text, *nl;
	bool globals = false;

	for (; *line; line = *nl ? nl + 1 : nl) {
		struct comp_opt o;
		char *l;

		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line);
		l = xstrndup(line, (size_t)(nl - line));
		if (!strncmp(l, "Global options", 14))
			globals = true;
		if (parse_option_line(&o, l)) {
			struct comp_opt **items = globals ? &m->globals :
			    &cmd->opts;
			size_t *nr = globals ? &m->globals_nr : &cmd->nr;
			size_t *alloc = globals ? &m->globals_alloc :
			    &cmd->alloc;

			if (opt_find(*items, *nr, o.lng ? o.lng : o.shrt)) {
				opt_release(&o);
			} else {
				xgrow(items, alloc, *nr + 1, sizeof(o));
				(*items)[(*nr)++] = o;
			}
		}
		free(l);
	}
}

static void
model_release(struct comp_model *m)
{
	size_t i, j;

	for (i = 0; i < m->nr; i++) {
		for (j = 0; j < m->cmds[i].nr; j++)
			opt_release(&m->cmds[i].opts[j]);
		free(m->cmds[i].opts);
		free(m->cmds[i].operand_words);
	}
	free(m->cmds);
	for (i = 0; i < m->globals_nr; i++)
		opt_release(&m->globals[i]);
	free(m->globals);
}

static int
model_build(struct comp_model *m, struct cli_ctx *ctx)
{
	const struct cli_command *c;
	struct ps_buf help = PS_BUF_INIT;
	size_t n = 0;
	int err;

	for (c = cli_commands; c->name; c++)
		n++;
	m->cmds = xcalloc(n, sizeof(*m->cmds));
	for (c = cli_commands; c->name; c++) {
		struct comp_cmd *cmd = &m->cmds[m->nr++];
		const char *syn = c->usage + strlen(c->name);

		cmd->name = c->name;
		cmd->desc = c->desc;
		ps_buf_reset(&help);
		if ((err = capture_help(&help, c, ctx)) < 0) {
			ps_buf_release(&help);
			return err;
		}
		parse_help(m, cmd, ps_buf_cstr(&help));
		parse_synopsis(syn, cmd->opts, cmd->nr, &cmd->operand,
		    &cmd->operand_words);
	}
	ps_buf_release(&help);
	/* the globals' value lists: their synopsis */
	{
		enum comp_kind unused = COMP_NONE;
		char *unused_words = NULL;

		parse_synopsis(cli_global_synopsis, m->globals, m->globals_nr,
		    &unused, &unused_words);
		free(unused_words);
	}
	return 0;
}

/* ---- writing the scripts ---- */

/*
 * A description safe inside single quotes, zsh's [desc] and fish's -d:
 * the first help line, cut before a parenthesis that line does not close,
 * without quotes, brackets or colons.
 */
static void
add_desc(struct ps_buf *b, const char *s)
{
	size_t n = strlen(s), i, start = b->len;
	const char *open = NULL;
	int depth = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '(' && depth++ == 0)
			open = s + i;
		else if (s[i] == ')' && depth > 0 && --depth == 0)
			open = NULL;
	}
	if (open)
		n = (size_t)(open - s);
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\'' || ch == '[' || ch == ']' || ch == ':' ||
		    ch == '\\' || ch == '`' || ch < 0x20)
			ch = ch == '[' ? '(' : ch == ']' ? ')' : ' ';
		if (ch == ' ' && b->len > start && b->ptr[b->len - 1] == ' ')
			continue;
		ps_buf_addch(b, (char)ch);
	}
	while (b->len > start && strchr(" ,;", b->ptr[b->len - 1]))
		b->ptr[--b->len] = '\0';
}

static void
bash_opt_names(struct ps_buf *b, const struct comp_opt *opts, size_t nr,
    bool values_only)
{
	const char *sep = "";
	size_t i;

	for (i = 0; i < nr; i++) {
		if (values_only && !opts[i].takes_value)
			continue;
		if (opts[i].shrt) {
			ps_buf_addf(b, "%s%s", sep, opts[i].shrt);
			sep = values_only ? "|" : " ";
		}
		if (opts[i].lng) {
			ps_buf_addf(b, "%s%s", sep, opts[i].lng);
			sep = values_only ? "|" : " ";
		}
	}
}

static const char *
bash_kind(enum comp_kind k)
{
	return k == COMP_FILE ? "@file" : k == COMP_DIR ? "@dir" :
	    k == COMP_COMMAND ? "@command" : "@none";
}

/* case arms mapping each value-taking option to what completes it */
static void
bash_values(struct ps_buf *b, const struct comp_opt *opts, size_t nr,
    const char *indent)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		const struct comp_opt *o = &opts[i];

		if (!o->takes_value)
			continue;
		ps_buf_addf(b, "%s%s%s%s) arg='%s' ;;\n", indent,
		    o->shrt ? o->shrt : "", o->shrt && o->lng ? "|" : "",
		    o->lng ? o->lng : "", o->kind == COMP_WORDS ? o->words :
		    bash_kind(o->kind));
	}
}

static void
write_bash(struct ps_buf *b, const struct comp_model *m)
{
	size_t i;

	ps_buf_adds(b, "# bash completion for projsync; generated by "
	    "`projsync completion bash`, do not edit.\n"
	    "_projsync()\n{\n"
	    "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev= cmd= i w arg= opts= "
	    "operand=@none\n"
	    "\t((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	    "\t# --opt=value arrives as three words: --opt = value\n"
	    "\tif [[ $cur == = ]]; then prev=${COMP_WORDS[COMP_CWORD-1]}; cur=;\n"
	    "\telif [[ $prev == = ]] && ((COMP_CWORD > 1)); then "
	    "prev=${COMP_WORDS[COMP_CWORD-2]}; fi\n"
	    "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	    "\t\tw=${COMP_WORDS[i]}\n\t\tcase $w in\n\t\t");
	bash_opt_names(b, m->globals, m->globals_nr, true);
	ps_buf_adds(b, ") ((i++)) ;;\n\t\t-*) ;;\n"
	    "\t\t*) cmd=$w; break ;;\n\t\tesac\n\tdone\n"
	    "\tcase $prev in\n");
	bash_values(b, m->globals, m->globals_nr, "\t");
	ps_buf_adds(b, "\tesac\n\tcase $cmd in\n");
	for (i = 0; i < m->nr; i++) {
		const struct comp_cmd *c = &m->cmds[i];

		ps_buf_addf(b, "\t%s)\n\t\topts='", c->name);
		bash_opt_names(b, c->opts, c->nr, false);
		ps_buf_adds(b, "'\n");
		if (c->operand != COMP_NONE)
			ps_buf_addf(b, "\t\toperand='%s'\n",
			    c->operand == COMP_WORDS ? c->operand_words :
			    bash_kind(c->operand));
		ps_buf_adds(b, "\t\tcase $prev in\n");
		bash_values(b, c->opts, c->nr, "\t\t");
		ps_buf_adds(b, "\t\tesac ;;\n");
	}
	ps_buf_adds(b, "\tesac\n"
	    "\tif [[ -z $arg && $cur == -* ]]; then\n\t\topts+=' ");
	bash_opt_names(b, m->globals, m->globals_nr, false);
	ps_buf_adds(b, "'\n\t\tCOMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
	    "\t\treturn\n\tfi\n"
	    "\tif [[ -z $arg ]]; then\n"
	    "\t\tif [[ -z $cmd ]]; then arg=@command; else arg=$operand; fi\n"
	    "\tfi\n"
	    "\tcase $arg in\n"
	    "\t@file) compopt -o filenames 2>/dev/null\n"
	    "\t\tCOMPREPLY=($(compgen -f -- \"$cur\")) ;;\n"
	    "\t@dir) compopt -o filenames 2>/dev/null\n"
	    "\t\tCOMPREPLY=($(compgen -d -- \"$cur\")) ;;\n"
	    "\t@command) COMPREPLY=($(compgen -W '");
	for (i = 0; i < m->nr; i++)
		ps_buf_addf(b, "%s%s", i ? " " : "", m->cmds[i].name);
	ps_buf_adds(b, "' -- \"$cur\")) ;;\n"
	    "\t@none) COMPREPLY=() ;;\n"
	    "\t*) COMPREPLY=($(compgen -W \"$arg\" -- \"$cur\")) ;;\n"
	    "\tesac\n}\ncomplete -F _projsync projsync\n");
}

static void
zsh_value(struct ps_buf *b, const struct comp_opt *o)
{
	const char *what = o->lng ? o->lng + 2 : "value";

	switch (o->kind) {
	case COMP_FILE:
		ps_buf_addf(b, ":%s:_files", what);
		break;
	case COMP_DIR:
		ps_buf_addf(b, ":%s:_files -/", what);
		break;
	case COMP_WORDS:
		ps_buf_addf(b, ":%s:(%s)", what, o->words);
		break;
	case COMP_COMMAND:
		ps_buf_addf(b, ":%s:_projsync_commands", what);
		break;
	case COMP_NONE:
		ps_buf_addf(b, ":%s: ", what);
		break;
	}
}

static void
zsh_opts(struct ps_buf *b, const struct comp_opt *opts, size_t nr,
    const char *indent)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		const struct comp_opt *o = &opts[i];

		ps_buf_adds(b, indent);
		if (o->shrt && o->lng)
			ps_buf_addf(b, "'(%s %s)'{%s,%s}'[", o->shrt, o->lng,
			    o->shrt, o->lng);
		else
			ps_buf_addf(b, "'%s[", o->lng ? o->lng : o->shrt);
		add_desc(b, o->desc);
		ps_buf_adds(b, "]");
		if (o->takes_value)
			zsh_value(b, o);
		ps_buf_adds(b, "' \\\n");
	}
}

static void
write_zsh(struct ps_buf *b, const struct comp_model *m)
{
	size_t i;

	ps_buf_adds(b, "#compdef projsync\n"
	    "# zsh completion for projsync; generated by "
	    "`projsync completion zsh`, do not edit.\n\n"
	    "_projsync_commands() {\n\tlocal -a commands=(\n");
	for (i = 0; i < m->nr; i++) {
		ps_buf_addf(b, "\t\t'%s:", m->cmds[i].name);
		add_desc(b, m->cmds[i].desc);
		ps_buf_adds(b, "'\n");
	}
	ps_buf_adds(b, "\t)\n\t_describe -t commands 'projsync command' "
	    "commands\n}\n\n"
	    "_projsync() {\n\tlocal curcontext=$curcontext state line ret=1\n"
	    "\ttypeset -A opt_args\n\t_arguments -C \\\n");
	zsh_opts(b, m->globals, m->globals_nr, "\t\t");
	ps_buf_adds(b, "\t\t'1:command:_projsync_commands' \\\n"
	    "\t\t'*::argument:->argument' && ret=0\n"
	    "\t[[ $state == argument ]] || return ret\n"
	    "\tcurcontext=${curcontext%:*:*}:projsync-$words[1]:\n"
	    "\tcase $words[1] in\n");
	for (i = 0; i < m->nr; i++) {
		const struct comp_cmd *c = &m->cmds[i];

		ps_buf_addf(b, "\t%s)\n\t\t_arguments \\\n", c->name);
		zsh_opts(b, c->opts, c->nr, "\t\t\t");
		zsh_opts(b, m->globals, m->globals_nr, "\t\t\t");
		switch (c->operand) {
		case COMP_FILE:
			ps_buf_adds(b, "\t\t\t'*:file:_files' \\\n");
			break;
		case COMP_DIR:
			ps_buf_adds(b, "\t\t\t'*:directory:_files -/' \\\n");
			break;
		case COMP_WORDS:
			ps_buf_addf(b, "\t\t\t'1:argument:(%s)' \\\n",
			    c->operand_words);
			break;
		case COMP_COMMAND:
			ps_buf_adds(b, "\t\t\t'1:command:_projsync_commands' "
			    "\\\n");
			break;
		case COMP_NONE:
			break;
		}
		ps_buf_adds(b, "\t\t\t&& ret=0 ;;\n");
	}
	ps_buf_adds(b, "\tesac\n\treturn ret\n}\n\n"
	    "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n"
	    "\t_projsync \"$@\"\nelse\n\tcompdef _projsync projsync\nfi\n");
}

static void
fish_opt(struct ps_buf *b, const struct comp_opt *o, const char *cond)
{
	ps_buf_adds(b, "complete -c projsync");
	if (cond)
		ps_buf_addf(b, " -n '%s'", cond);
	if (o->shrt)
		ps_buf_addf(b, " -s %s", o->shrt + 1);
	if (o->lng)
		ps_buf_addf(b, " -l %s", o->lng + 2);
	if (o->takes_value) {
		switch (o->kind) {
		case COMP_FILE:
			ps_buf_adds(b, " -r -F");
			break;
		case COMP_DIR:
			ps_buf_adds(b, " -x -a '(__fish_complete_directories)'");
			break;
		case COMP_WORDS:
			ps_buf_addf(b, " -x -a '%s'", o->words);
			break;
		case COMP_COMMAND:
			ps_buf_adds(b, " -x -a '(__fish_projsync_commands)'");
			break;
		case COMP_NONE:
			ps_buf_adds(b, " -x");
			break;
		}
	}
	ps_buf_adds(b, " -d '");
	add_desc(b, o->desc);
	ps_buf_adds(b, "'\n");
}

static void
write_fish(struct ps_buf *b, const struct comp_model *m)
{
	struct ps_buf all = PS_BUF_INIT;
	size_t i, j;

	for (i = 0; i < m->nr; i++)
		ps_buf_addf(&all, "%s%s", i ? " " : "", m->cmds[i].name);
	ps_buf_addf(b, "# fish completion for projsync; generated by "
	    "`projsync completion fish`, do not edit.\n"
	    "function __fish_projsync_commands\n"
	    "\tprintf '%%s\\n' %s\nend\n"
	    "complete -c projsync -f\n", all.ptr);
	for (i = 0; i < m->globals_nr; i++)
		fish_opt(b, &m->globals[i], NULL);
	for (i = 0; i < m->nr; i++) {
		const struct comp_cmd *c = &m->cmds[i];
		char *cond = xasprintf("__fish_seen_subcommand_from %s",
		    c->name);

		ps_buf_addf(b, "complete -c projsync -n "
		    "'not __fish_seen_subcommand_from %s' -a %s -d '",
		    all.ptr, c->name);
		add_desc(b, c->desc);
		ps_buf_adds(b, "'\n");
		for (j = 0; j < c->nr; j++)
			fish_opt(b, &c->opts[j], cond);
		if (c->operand == COMP_FILE)
			ps_buf_addf(b, "complete -c projsync -n '%s' -F\n", cond);
		else if (c->operand == COMP_DIR)
			ps_buf_addf(b, "complete -c projsync -n '%s' -a "
			    "'(__fish_complete_directories)'\n", cond);
		else if (c->operand == COMP_WORDS)
			ps_buf_addf(b, "complete -c projsync -n '%s' -a '%s'\n",
			    cond, c->operand_words);
		else if (c->operand == COMP_COMMAND)
			ps_buf_addf(b, "complete -c projsync -n '%s' -a "
			    "'(__fish_projsync_commands)'\n", cond);
		free(cond);
	}
	ps_buf_release(&all);
}

int
cmd_completion(int argc, char **argv, struct cli_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *self = cli_command_find("completion");
	struct comp_model m = { 0 };
	struct ps_buf out = PS_BUF_INIT;
	const char *shell;
	int c, err, rc = EXIT_OK;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (c == 'h') {
			cli_print_help(stdout, self, completion_help);
			return EXIT_OK;
		}
		return cli_option_error(ctx, c, argv);
	}
	if (optind + 1 != argc)
		return cli_usage_error(ctx, optind < argc ? "one shell only" :
		    "name a shell: bash, zsh or fish");
	shell = argv[optind];
	if (strcmp(shell, "bash") && strcmp(shell, "zsh") &&
	    strcmp(shell, "fish"))
		return cli_usage_error(ctx, "unknown shell '%s' (bash, zsh or "
		    "fish)", shell);

	if ((err = model_build(&m, ctx)) < 0) {
		rc = cli_fail(ctx, err);
		goto out;
	}
	if (!strcmp(shell, "bash"))
		write_bash(&out, &m);
	else if (!strcmp(shell, "zsh"))
		write_zsh(&out, &m);
	else
		write_fish(&out, &m);
	if (fwrite(out.ptr, 1, out.len, stdout) != out.len) {
		cli_error(ctx, "cannot write to standard output");
		rc = EXIT_ERROR;
	}
out:
	ps_buf_release(&out);
	model_release(&m);
	return rc;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tab completion from the command table (see complete.h).
 *
 * completion_line -> the words before the one typed (ctl_cmd_split)
 *   -> command names | keys and bare values | a key's values
 */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "complete.h"
#include "ctl_cmd.h"

/* Add word + suffix when it begins with the typed prefix. */
static int
add(struct completion *c, const char *prefix, const char *word,
    const char *suffix)
{
	size_t len = strlen(word) + strlen(suffix) + 1;
	char **n, *w;

	w = malloc(len);
	if (w == NULL)
		return -1;
	snprintf(w, len, "%s%s", word, suffix);
	if (strncmp(w, prefix, strlen(prefix)) != 0) {
		free(w);
		return 0;
	}
	n = realloc(c->words, (c->n + 1) * sizeof(*n));
	if (n == NULL) {
		free(w);
		return -1;
	}
	c->words = n;
	c->words[c->n++] = w;
	return 0;
}

static int
cmp_words(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
sort_unique(struct completion *c)
{
	size_t i, j;

	if (c->n == 0)
		return;
	qsort(c->words, c->n, sizeof(*c->words), cmp_words);
	for (i = 1, j = 1; i < c->n; i++) {
		if (strcmp(c->words[i], c->words[j - 1]) == 0)
			free(c->words[i]);
		else
			c->words[j++] = c->words[i];
	}
	c->n = j;
}

static int
add_commands(struct completion *c, const char *cur, const char *const *extra)
{
	const char *name;
	size_t i;

	for (i = 0; (name = ctl_cmd_name_at(i)) != NULL; i++)
		if (add(c, cur, name, "") != 0)
			return -1;
	for (i = 0; extra != NULL && extra[i] != NULL; i++)
		if (add(c, cur, extra[i], "") != 0)
			return -1;
	return 0;
}

static int
add_methods(struct completion *c, const char *cur)
{
	const char *name, *m;
	size_t i;

	for (i = 0; (name = ctl_cmd_name_at(i)) != NULL; i++) {
		m = ctl_cmd_method(name);
		if (m != NULL && add(c, cur, m, "") != 0)
			return -1;
	}
	return 0;
}

/* Was key given already: as key=, or as the bare word it stands for? */
static int
given(const char *key, int bare, int argc, char *const argv[])
{
	size_t len = strlen(key);
	int i;

	for (i = 1; i < argc; i++) {
		if (strncmp(argv[i], key, len) == 0 && argv[i][len] == '=')
			return 1;
		if (bare && strchr(argv[i], '=') == NULL)
			return 1;
	}
	return 0;
}

/* KEY=PATH<TAB> for a key whose value is a file: the entries of PATH's
 * directory that begin as PATH's last part does (directories with a '/'
 * and hidden ones only when asked for with a '.'). */
static int
add_files(struct completion *c, const char *cur, size_t klen)
{
	const char *val = cur + klen + 1, *slash = strrchr(val, '/');
	size_t dlen = slash == NULL ? 0 : (size_t)(slash - val) + 1;
	char dir[1024], word[1400], path[2048];
	const char *base = val + dlen;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int rc = 0;

	if (dlen >= sizeof(dir))
		return 0;
	snprintf(dir, sizeof(dir), "%.*s", (int)dlen, val);
	d = opendir(dlen == 0 ? "." : dir);
	if (d == NULL)
		return 0;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		int is_dir;

		if (strncmp(de->d_name, base, strlen(base)) != 0 ||
		    (de->d_name[0] == '.' && base[0] != '.') ||
		    strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s%s", dlen == 0 ? "./" : dir,
			 de->d_name);
		is_dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
		snprintf(word, sizeof(word), "%.*s%s%s", (int)(klen + 1 + dlen),
			 cur, de->d_name, is_dir ? "/" : "");
		rc = add(c, cur, word, "");
	}
	closedir(d);
	return rc;
}

/* cmd KEY=VAL<TAB>: the key's known values, as KEY=VALUE. */
static int
add_values(struct completion *c, const char *cmd, const char *cur)
{
	size_t i, j, klen = strchr(cur, '=') - cur;
	struct ctl_cmd_key_info k;
	char word[256];

	for (i = 0; ctl_cmd_key_at(cmd, i, &k) == 0; i++) {
		if (strlen(k.name) != klen || strncmp(k.name, cur, klen) != 0)
			continue;
		if (k.file)
			return add_files(c, cur, klen);
		for (j = 0; k.values != NULL && k.values[j] != NULL; j++) {
			snprintf(word, sizeof(word), "%s=%s", k.name,
				 k.values[j]);
			if (add(c, cur, word, "") != 0)
				return -1;
		}
		break;
	}
	return 0;
}

/* cmd ... <TAB>: the keys not given yet, and the bare key's values. */
static int
add_keys(struct completion *c, int argc, char *const argv[], const char *cur)
{
	const char *bare = ctl_cmd_bare_key(argv[0]);
	struct ctl_cmd_key_info k;
	size_t i, j;
	int is_bare;

	for (i = 0; ctl_cmd_key_at(argv[0], i, &k) == 0; i++) {
		is_bare = bare != NULL && strcmp(bare, k.name) == 0;
		if (!k.repeatable && given(k.name, is_bare, argc, argv))
			continue;
		if (add(c, cur, k.name, "=") != 0)
			return -1;
		for (j = 0; is_bare && k.values != NULL && k.values[j] != NULL;
		     j++)
			if (add(c, cur, k.values[j], "") != 0)
				return -1;
	}
	return 0;
}

/* Is the end of line in a comment or a quote?  A word added there would
 * not be word argc + 1 of the line. */
static int
in_comment(const char *line, int argc)
{
	char **argv = NULL, err[128], *probe;
	size_t len = strlen(line);
	int n;

	probe = malloc(len + 2);
	if (probe == NULL)
		return 1;
	memcpy(probe, line, len);
	strcpy(probe + len, "x");
	n = ctl_cmd_split(probe, &argv, err, sizeof(err));
	free(probe);
	if (n >= 0)
		ctl_cmd_free_argv(argv);
	return n != argc + 1;
}

int
completion_line(struct completion *c, const char *line,
		const char *const *extra)
{
	char **argv = NULL, err[128], *head;
	const char *cur;
	size_t start;
	int argc, rc = 0;

	memset(c, 0, sizeof(*c));
	start = strlen(line);
	while (start > 0 && line[start - 1] != ' ' && line[start - 1] != '\t')
		start--;
	c->start = start;
	cur = line + start;
	head = strndup(line, start);
	if (head == NULL)
		return -1;
	argc = ctl_cmd_split(head, &argv, err, sizeof(err));
	free(head);
	if (argc < 0 || in_comment(line, argc))
		goto out;	/* inside a quote or a comment: nothing */
	if (argc == 0)
		rc = add_commands(c, cur, extra);
	else if (argc == 1 && strcmp(argv[0], "help") == 0)
		rc = add_commands(c, cur, extra);
	else if (argc == 1 && strcmp(argv[0], "call") == 0)
		rc = add_methods(c, cur);
	else if (strcmp(argv[0], "call") != 0 && ctl_cmd_exists(argv[0]))
		rc = strchr(cur, '=') != NULL ?
			add_values(c, argv[0], cur) :
			add_keys(c, argc, argv, cur);
out:
	ctl_cmd_free_argv(argv);
	sort_unique(c);
	return rc != 0 ? -1 : (int)c->n;
}

size_t
completion_common_len(const struct completion *c)
{
	size_t i, len;

	if (c->n == 0)
		return 0;
	len = strlen(c->words[0]);
	for (i = 1; i < c->n; i++) {
		size_t j = 0;

		while (j < len && c->words[i][j] == c->words[0][j])
			j++;
		len = j;
	}
	return len;
}

void
completion_free(struct completion *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->words[i]);
	free(c->words);
	memset(c, 0, sizeof(*c));
}

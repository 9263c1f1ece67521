/* SPDX-License-Identifier: BSD-3-Clause */
/* The control channel's TCP token (see ctl_token.h). */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl_token.h"

int
ctl_token_check(const char *token, char *err, size_t errlen)
{
	size_t len = strlen(token), i;

	if (len < CTL_TOKEN_MIN) {
		snprintf(err, errlen,
			 "the control token has %zu characters: use at least %d (e.g. from: head -c 24 /dev/urandom | base64)",
			 len, CTL_TOKEN_MIN);
		return -1;
	}
	if (len > CTL_TOKEN_MAX) {
		snprintf(err, errlen,
			 "the control token has %zu characters: at most %d",
			 len, CTL_TOKEN_MAX);
		return -1;
	}
	for (i = 0; i < len; i++)
		if (token[i] <= ' ' || token[i] > '~') {
			snprintf(err, errlen,
				 "the control token must be printable ASCII without white space (character %zu is not)",
				 i + 1);
			return -1;
		}
	return 0;
}

int
ctl_token_read_file(const char *path, char *buf, size_t size, char *err,
		    size_t errlen)
{
	char tmp[CTL_TOKEN_MAX + 3];
	struct stat st;
	ssize_t n;
	size_t len;
	char *nl;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "token file %s: %s", path,
			 strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "token file %s: not a regular file",
			 path);
		close(fd);
		return -1;
	}
	if (st.st_mode & (S_IROTH | S_IWOTH)) {
		snprintf(err, errlen,
			 "token file %s is readable or writable by others (mode %04o): chmod o-rw %s",
			 path, (unsigned int)(st.st_mode & 07777), path);
		close(fd);
		return -1;
	}
	n = read(fd, tmp, sizeof(tmp) - 1);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "token file %s: %s", path,
			 strerror(errno));
		return -1;
	}
	tmp[n] = '\0';
	nl = strchr(tmp, '\n');
	if (nl != NULL)
		*nl = '\0';
	else if ((size_t)n == sizeof(tmp) - 1) {
		snprintf(err, errlen,
			 "token file %s: the first line is longer than %d characters",
			 path, CTL_TOKEN_MAX);
		return -1;
	}
	len = strlen(tmp);
	while (len > 0 && (tmp[len - 1] == '\r' || tmp[len - 1] == ' ' ||
			   tmp[len - 1] == '\t'))
		tmp[--len] = '\0';
	if (len == 0) {
		snprintf(err, errlen, "token file %s: the first line is empty",
			 path);
		return -1;
	}
	if (ctl_token_check(tmp, err, errlen) != 0) {
		char why[200];

		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errlen, "token file %s: %s", path, why);
		memset(tmp, 0, sizeof(tmp));
		return -1;
	}
	if (len >= size) {
		snprintf(err, errlen, "token file %s: token too long", path);
		memset(tmp, 0, sizeof(tmp));
		return -1;
	}
	memcpy(buf, tmp, len + 1);
	memset(tmp, 0, sizeof(tmp));
	return 0;
}

int
ctl_token_equal(const char *given, size_t given_len, const char *secret)
{
	size_t sl = strlen(secret), i;
	volatile unsigned char diff = given_len != sl;

	for (i = 0; i < sl; i++)
		diff |= (unsigned char)secret[i] ^
			(unsigned char)(i < given_len ? given[i] : 0);
	return diff == 0;
}

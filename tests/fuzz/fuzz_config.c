/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the JSON config loader (config.h): the input is
 * the text of a config file, loaded with config_load_string (what
 * config_load_file does after reading the file) over the defaults, then
 * config_validate and config_free.  A crash, a sanitizer report or a leak
 * (fuzz.sh runs with detect_leaks) is a finding; a refusal must say why.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x) do { if (!(x)) abort(); } while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dpf_config cfg;
	char err[CONFIG_ERR_LEN];

	config_init(&cfg);
	err[0] = '\0';
	if (config_load_string(&cfg, (const char *)data, size, "fuzz", err,
			       sizeof(err)) != 0) {
		CHECK(err[0] != '\0');
	} else {
		err[0] = '\0';
		if (config_validate(&cfg, err, sizeof(err)) != 0)
			CHECK(err[0] != '\0');
	}
	config_free(&cfg);
	return 0;
}

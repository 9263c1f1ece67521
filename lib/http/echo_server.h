/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TCP echo service (RFC 862): every byte received is sent back.
 *
 * It doubles as the simplest test of passive open and of the send path:
 * whatever a peer writes comes back through tcp_send, the send buffer,
 * segmentation, loss recovery and congestion control.
 */

#ifndef DPF_ECHO_SERVER_H
#define DPF_ECHO_SERVER_H

#include <stdint.h>

struct worker;

/* Listen on port; returns 0 or a negative errno. */
int
echo_server_start(struct worker *w, uint16_t port);

#endif /* DPF_ECHO_SERVER_H */

/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdint.h>

#include "echo_server.h"
#include "tcp.h"
#include "worker.h"

static void
echo_connected(struct worker *w, struct tcp_conn *c)
{
	w->stats.echo.connections++;
	/* What we receive we must send: advertise only what the send
	 * buffer can take, so a fast writer is slowed, never dropped. */
	tcp_rcv_hold_snd(c);
	/* A peer that connects and goes silent would hold the connection
	 * for ever (keepalive is off by default, and a live but silent
	 * peer answers it): http.idle_timeout_s bounds the silence. */
	if (w->cfg->http.idle_timeout_s != 0)
		tcp_app_timer_arm(w, c,
				  (uint64_t)w->cfg->http.idle_timeout_s *
				  1000000);
}

/* Nothing received (data or ACK) for idle_timeout_s: close (FIN). */
static uint64_t
echo_timeout(struct worker *w, struct tcp_conn *c)
{
	uint64_t limit = (uint64_t)w->cfg->http.idle_timeout_s * 1000000;
	uint64_t since;

	if (limit == 0 || tcp_conn_fin_queued(c))
		return UINT64_MAX;
	since = tcp_conn_idle_us(w, c);
	if (since < limit)
		return limit - since;
	w->stats.echo.idle_timeouts++;
	tcp_close(w, c);
	return UINT64_MAX;
}

static void
echo_recv(struct worker *w, struct tcp_conn *c, const uint8_t *data,
	  uint32_t len)
{
	uint32_t n = tcp_send(w, c, data, len);

	w->stats.echo.bytes += n;
	if (n < len) {
		/* Out of mbufs: bytes would be lost, so end the connection
		 * loudly instead (after this callback returns). */
		w->stats.echo.errors++;
		tcp_abort_later(w, c);
	}
}

static void
echo_peer_closed(struct worker *w, struct tcp_conn *c)
{
	/* Our FIN follows the last echoed byte. */
	tcp_close(w, c);
}

static void
echo_closed(struct worker *w, struct tcp_conn *c, int err)
{
	(void)c;
	if (err != 0)
		w->stats.echo.resets++;
}

static const struct tcp_app_ops echo_ops = {
	.connected = echo_connected,
	.recv = echo_recv,
	.peer_closed = echo_peer_closed,
	.closed = echo_closed,
	.timeout = echo_timeout,
};

int
echo_server_start(struct worker *w, uint16_t port)
{
	return tcp_listen(w, port, &echo_ops, NULL);
}

/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "port.h"

#define PORT_RX_DESC	1024
#define PORT_TX_DESC	1024
#define LINK_WAIT_MS	3000
/* The IPv4 total length is 16 bits, also for a TSO segment: room for
 * the largest IPv4 and TCP headers. */
#define TSO_MAX_PAYLOAD	(65535u - 60u - 60u)
/* Largest coalesced frame we let an LRO port build. */
#define LRO_MAX_PKT	65535u

int
port_pick(int given, uint16_t want_id, uint16_t *id, char *err,
	  size_t errlen)
{
	uint16_t pid;

	if (given) {
		if (!rte_eth_dev_is_valid_port(want_id)) {
			snprintf(err, errlen,
				 "--port %u: no such DPDK port (%u available)",
				 want_id, rte_eth_dev_count_avail());
			return -1;
		}
		*id = want_id;
		return 0;
	}
	RTE_ETH_FOREACH_DEV(pid) {
		*id = pid;
		return 0;
	}
	snprintf(err, errlen,
		 "no DPDK port: give EAL a device, e.g. --vdev=net_af_packet0,iface=dpf0, or bind a NIC to vfio-pci");
	return -1;
}

/* Round-robin table over the queues; the port keeps its own hash
 * (and software hands packets over) if it refuses. */
static int
port_program_reta(struct port *p, const struct rte_eth_dev_info *info)
{
	struct rte_eth_rss_reta_entry64 reta[512 / RTE_ETH_RETA_GROUP_SIZE];
	uint16_t i;

	if (info->reta_size == 0 || info->reta_size > 512 ||
	    (info->reta_size & (info->reta_size - 1)) != 0)
		return -1;
	memset(reta, 0, sizeof(reta));
	for (i = 0; i < info->reta_size; i++) {
		struct rte_eth_rss_reta_entry64 *g =
			&reta[i / RTE_ETH_RETA_GROUP_SIZE];

		g->mask |= 1ull << (i % RTE_ETH_RETA_GROUP_SIZE);
		g->reta[i % RTE_ETH_RETA_GROUP_SIZE] = i % p->n_queues;
	}
	if (rte_eth_dev_rss_reta_update(p->id, reta, info->reta_size) != 0)
		return -1;
	p->reta_size = info->reta_size;
	return 0;
}

int
port_init(struct port *p, uint16_t id, uint16_t n_queues, uint16_t mtu,
	  struct rte_mempool *pool, const uint8_t *rss_key,
	  unsigned int want_features, char *err, size_t errlen)
{
	uint8_t key[40];
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	struct rte_eth_rxconf rxconf;
	struct rte_eth_txconf txconf;
	uint16_t nb_rxd = PORT_RX_DESC, nb_txd = PORT_TX_DESC;
	uint64_t want;
	int socket = rte_eth_dev_socket_id(id);
	int rc;
	uint16_t q;
	unsigned int waited;

	memset(p, 0, sizeof(*p));
	p->id = id;
	p->n_queues = n_queues;
	p->mtu = mtu;
	if (socket < 0)
		socket = (int)rte_socket_id();
	rc = rte_eth_dev_info_get(id, &info);
	if (rc != 0) {
		snprintf(err, errlen, "port %u: cannot read device info: %s",
			 id, rte_strerror(-rc));
		return -1;
	}
	snprintf(p->driver, sizeof(p->driver), "%s", info.driver_name);
	rte_eth_dev_get_name_by_port(id, p->name);
	if (info.max_rx_queues < n_queues || info.max_tx_queues < n_queues) {
		snprintf(err, errlen, "port %u (%s) has %u RX / %u TX queues, %u needed",
			 id, p->driver, info.max_rx_queues, info.max_tx_queues,
			 n_queues);
		return -1;
	}
	if (mtu > info.max_mtu || mtu < info.min_mtu) {
		snprintf(err, errlen, "port %u (%s): MTU %u is outside %u..%u",
			 id, p->driver, mtu, info.min_mtu, info.max_mtu);
		return -1;
	}

	memset(&conf, 0, sizeof(conf));
	conf.rxmode.mtu = mtu;
	if (n_queues > 1 && (want_features & PORT_WANT_RSS_EXTERNAL)) {
		/* The same steering as a programmed port, with the
		 * table the fabric is told about. */
		p->rss = 1;
		p->rss_external = 1;
		p->reta_size = PORT_EXTERNAL_RETA_SIZE;
	} else if (n_queues > 1 && rss_key != NULL &&
		   info.hash_key_size == 40 &&
		   (info.flow_type_rss_offloads &
		    RTE_ETH_RSS_NONFRAG_IPV4_TCP)) {
		memcpy(key, rss_key, sizeof(key));
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_key = key;
		conf.rx_adv_conf.rss_conf.rss_key_len = sizeof(key);
		conf.rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_NONFRAG_IPV4_TCP;
		p->rss = 1;
	}
	/* Use checksum offloads only where the port has them. */
	want = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
	conf.rxmode.offloads = info.rx_offload_capa & want;
	want = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
		RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	/* DPDK 22.11's net_tap sums each piece of a chain on its own when
	 * it fills in the TCP checksum, which is wrong after a piece of odd
	 * length: on it we send whole frames (and so no TSO, whose
	 * segments would be chains again). */
	if (strcmp(info.driver_name, "net_tap") == 0)
		want &= ~RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	conf.txmode.offloads = info.tx_offload_capa & want;
	p->rx_ip_cksum = !!(conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM);
	p->rx_tcp_cksum = !!(conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_TCP_CKSUM);
	p->tx_ip_cksum = !!(conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM);
	p->tx_tcp_cksum = !!(conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_TCP_CKSUM);
	/* Chained mbufs let TCP send payload by reference. */
	p->tx_multi_seg = !!(conf.txmode.offloads &
			     RTE_ETH_TX_OFFLOAD_MULTI_SEGS);
	/* TSO only with the TCP checksum offload it implies, and with
	 * chains: the payload of a large segment is the send buffer's,
	 * attached by reference. */
	if ((want_features & PORT_WANT_TSO) &&
	    (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_TSO) &&
	    p->tx_tcp_cksum && p->tx_multi_seg) {
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_TCP_TSO;
		p->tx_tso = 1;
		p->tso_max_payload = TSO_MAX_PAYLOAD;
	}
	p->tx_max_segs = info.tx_desc_lim.nb_seg_max != 0 ?
		info.tx_desc_lim.nb_seg_max : UINT16_MAX;
	if ((want_features & PORT_WANT_LRO) &&
	    (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TCP_LRO)) {
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TCP_LRO;
		/* Coalesced frames span several mbufs. */
		if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER)
			conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
		/* A port that names no limit must be given its largest
		 * frame for the MTU (ethdev's rule; virtio is one). */
		if (info.max_lro_pkt_size != 0)
			conf.rxmode.max_lro_pkt_size =
				RTE_MIN(info.max_lro_pkt_size, LRO_MAX_PKT);
		else if (info.max_mtu != UINT16_MAX &&
			 info.max_rx_pktlen > info.max_mtu)
			conf.rxmode.max_lro_pkt_size = mtu +
				info.max_rx_pktlen - info.max_mtu;
		else
			conf.rxmode.max_lro_pkt_size = mtu +
				RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN;
		p->rx_lro = 1;
	}

	if (want_features & PORT_WANT_VLAN) {
		conf.rxmode.offloads |= info.rx_offload_capa &
			RTE_ETH_RX_OFFLOAD_VLAN_STRIP;
		conf.txmode.offloads |= info.tx_offload_capa &
			RTE_ETH_TX_OFFLOAD_VLAN_INSERT;
		p->rx_vlan_strip = !!(conf.rxmode.offloads &
				      RTE_ETH_RX_OFFLOAD_VLAN_STRIP);
		p->tx_vlan_insert = !!(conf.txmode.offloads &
				       RTE_ETH_TX_OFFLOAD_VLAN_INSERT);
	}

	rc = rte_eth_dev_configure(id, n_queues, n_queues, &conf);
	if (rc != 0) {
		snprintf(err, errlen, "port %u (%s): configure failed: %s", id,
			 p->driver, rte_strerror(-rc));
		return -1;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(id, &nb_rxd, &nb_txd);
	if (rc != 0) {
		snprintf(err, errlen, "port %u: descriptor counts: %s", id,
			 rte_strerror(-rc));
		return -1;
	}
	rxconf = info.default_rxconf;
	rxconf.offloads = conf.rxmode.offloads;
	txconf = info.default_txconf;
	txconf.offloads = conf.txmode.offloads;
	for (q = 0; q < n_queues; q++) {
		rc = rte_eth_rx_queue_setup(id, q, nb_rxd, (unsigned int)socket,
					    &rxconf, pool);
		if (rc != 0) {
			snprintf(err, errlen, "port %u: RX queue %u: %s", id, q,
				 rte_strerror(-rc));
			return -1;
		}
		rc = rte_eth_tx_queue_setup(id, q, nb_txd, (unsigned int)socket,
					    &txconf);
		if (rc != 0) {
			snprintf(err, errlen, "port %u: TX queue %u: %s", id, q,
				 rte_strerror(-rc));
			return -1;
		}
	}
	rc = rte_eth_macaddr_get(id, &p->mac);
	if (rc != 0) {
		snprintf(err, errlen, "port %u: no MAC address: %s", id,
			 rte_strerror(-rc));
		return -1;
	}
	if (p->rss && !p->rss_external && port_program_reta(p, &info) != 0)
		p->rss = 0;
	rc = rte_eth_dev_start(id);
	if (rc != 0) {
		snprintf(err, errlen, "port %u (%s): start failed: %s", id,
			 p->driver, rte_strerror(-rc));
		return -1;
	}
	for (waited = 0; waited < LINK_WAIT_MS; waited += 10) {
		struct rte_eth_link link;

		if (rte_eth_link_get_nowait(id, &link) == 0 &&
		    link.link_status == RTE_ETH_LINK_UP)
			break;
		rte_delay_ms(10);
	}
	return 0;
}

int
port_link_is_up(const struct port *p)
{
	struct rte_eth_link link;

	memset(&link, 0, sizeof(link));
	if (rte_eth_link_get_nowait(p->id, &link) != 0)
		return 1;	/* cannot tell: do not hold jobs back */
	return link.link_status == RTE_ETH_LINK_UP;
}

void
port_fini(struct port *p)
{
	rte_eth_dev_stop(p->id);
	rte_eth_dev_close(p->id);
}

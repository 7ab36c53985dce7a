// Which network interfaces discovery uses: every LAN interface by default; loopback-only interfaces, VPN tunnels
// and host-only virtual bridges only when the user names them (config.discoveryInterfaces).
import os from 'node:os';

export interface Ipv4Address { address: string; netmask: string }
export interface LanInterface {
  name: string;
  /** IPv4 addresses: the first one carries the mDNS socket of this interface. */
  ipv4: Ipv4Address[];
  /** IPv6 addresses (link-local included), answered in AAAA records. */
  ipv6: string[];
}

type InterfaceTable = NodeJS.Dict<os.NetworkInterfaceInfo[]>;

// Tunnels and VPN adapters across Linux, macOS and Windows (by the names their drivers give them).
const VPN_NAME = /^(tun|tap|wg|utun|ppp|ipsec|gpd|tailscale|zt|nordlynx|proton|mullvad|cscotun|vpn)|vpn|wireguard|tap-windows|openvpn|anyconnect|fortinet|zerotier|tailscale|wintun/i;
// Host-only virtual networks: nobody on the LAN sits behind them.
const VIRTUAL_NAME = /^(docker\d|br-[0-9a-f]{6,}|virbr|vboxnet|vmnet|lxcbr|lxdbr|cni|flannel|podman|vethernet \(wsl|vethernet \(default switch)/i;

export function isVpnInterface(name: string, addrs: os.NetworkInterfaceInfo[]): boolean {
  if (VPN_NAME.test(name)) return true;
  // A point-to-point tunnel has no link layer: Node reports an all-zero MAC for a non-internal address.
  return addrs.length > 0 && addrs.every((a) => !a.internal && a.mac === '00:00:00:00:00:00');
}

export function isVirtualBridge(name: string): boolean {
  return VIRTUAL_NAME.test(name);
}

export function isLoopbackOnly(addrs: os.NetworkInterfaceInfo[]): boolean {
  return addrs.every((a) => a.internal);
}

/**
 * The interfaces to advertise and browse on. With `selected` (interface names) exactly those are used, whatever
 * they are; otherwise every interface with a non-internal IPv4 address that is neither a VPN nor a virtual bridge.
 * An interface without IPv4 is left out: Parley's mDNS runs over IPv4 (AAAA records are still answered there).
 */
export function listLanInterfaces(selected?: readonly string[], table: InterfaceTable = os.networkInterfaces()): LanInterface[] {
  const out: LanInterface[] = [];
  const wanted = selected && selected.length > 0 ? new Set(selected) : null;
  for (const [name, addrs] of Object.entries(table)) {
    if (!addrs || addrs.length === 0) continue;
    if (wanted) {
      if (!wanted.has(name)) continue;
    } else if (isLoopbackOnly(addrs) || isVpnInterface(name, addrs) || isVirtualBridge(name)) {
      continue;
    }
    const ipv4 = addrs.filter((a) => a.family === 'IPv4' && (wanted !== null || !a.internal)).map((a) => ({ address: a.address, netmask: a.netmask }));
    if (ipv4.length === 0) continue;
    const ipv6 = addrs.filter((a) => a.family === 'IPv6' && (wanted !== null || !a.internal)).map((a) => a.address.split('%')[0]);
    out.push({ name, ipv4, ipv6 });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Only the interfaces that can reach the listening sockets: all of them for a wildcard bind (0.0.0.0, ::), else
 * the one holding the bound address. A server bound to loopback is announced nowhere — devices on the LAN could
 * not connect to it, and announcing it would only send multicast for nothing.
 */
export function reachableFrom(list: readonly LanInterface[], bind: string | undefined): LanInterface[] {
  if (bind === undefined || isWildcardBind(bind)) return [...list];
  return list.filter((i) => i.ipv4.some((a) => a.address === bind) || i.ipv6.includes(bind));
}

export function isWildcardBind(bind: string | undefined): boolean {
  return bind === undefined || bind === '' || bind === '0.0.0.0' || bind === '::';
}

/** A string that changes whenever the chosen interfaces or their addresses change. */
export function interfacesKey(list: readonly LanInterface[]): string {
  return list.map((i) => `${i.name}=${i.ipv4.map((a) => a.address).sort().join(',')}|${[...i.ipv6].sort().join(',')}`).join(';');
}

function ipv4ToInt(a: string): number {
  const p = a.split('.').map(Number);
  if (p.length !== 4 || p.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return NaN;
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

/** Whether an IPv4 source address is on one of the interface's subnets. */
export function onSubnet(iface: LanInterface, address: string): boolean {
  const src = ipv4ToInt(address.replace(/^::ffff:/, ''));
  if (Number.isNaN(src)) return false;
  return iface.ipv4.some(({ address: a, netmask }) => {
    const mask = ipv4ToInt(netmask);
    return (ipv4ToInt(a) & mask) === (src & mask);
  });
}

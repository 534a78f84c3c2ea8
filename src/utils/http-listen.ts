import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * Listen on host:port (0: any free port) and resolve with the base URL and the port taken;
 * a failure to listen (EADDRINUSE...) rejects with the server's error.
 */
export async function listenHttp (server: Server, port: number, host: string): Promise<{ url: string, port: number }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => { server.off('error', reject); resolve() })
  })
  const address = server.address() as AddressInfo
  return { url: `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`, port: address.port }
}

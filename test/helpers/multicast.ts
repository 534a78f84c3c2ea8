import multicastDNS from 'multicast-dns'

/**
 * Whether mDNS packets sent here come back to another socket on this machine (multicast
 * looped back through an interface with a multicast route). Without it two nodes on one
 * machine cannot find each other by mDNS, and the tests that need it skip, saying why.
 */
export async function multicastLoopsBack (timeoutMs = 3000): Promise<boolean> {
  const name = `shoal-probe-${Math.random().toString(36).slice(2)}.local`
  let listener: ReturnType<typeof multicastDNS> | undefined
  let sender: ReturnType<typeof multicastDNS> | undefined
  try {
    listener = multicastDNS()
    sender = multicastDNS()
    const heard = new Promise<boolean>(resolve => {
      listener?.on('query', (query) => { if (query.questions.some(q => q.name === name)) resolve(true) })
      setTimeout(() => { resolve(false) }, timeoutMs).unref()
    })
    listener.on('error', () => {})
    sender.on('error', () => {})
    // ask a few times: the first packet may go before the other socket has joined the group
    const asking = setInterval(() => { sender?.query({ questions: [{ name, type: 'A' }] }) }, 300)
    sender.query({ questions: [{ name, type: 'A' }] })
    const result = await heard
    clearInterval(asking)
    return result
  } catch {
    return false
  } finally {
    listener?.destroy()
    sender?.destroy()
  }
}

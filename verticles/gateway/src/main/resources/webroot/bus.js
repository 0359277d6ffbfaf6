// A small client for the Vert.x SockJS event bus bridge: register, publish-free request/reply,
// pings, and reconnection with backoff. Every frame carries the current access token.

export class Bus {
  constructor(url, token) {
    this.url = url;
    this.token = token;            // () => current access token
    this.handlers = new Map();     // address -> [handler]
    this.replies = new Map();      // replyAddress -> {resolve, reject, timer}
    this.onstate = () => {};       // (state: 'open' | 'connecting' | 'closed')
    this.onopen = () => {};        // called after every (re)connect, once registrations are sent
    this.closedByUser = false;
    this.backoff = 250;
    this.opens = 0;                // connections made so far
  }

  connect() {
    this.closedByUser = false;
    this.onstate('connecting');
    const sock = new SockJS(this.url, null, { transports: ['websocket', 'xhr-streaming', 'xhr-polling'] });
    this.sock = sock;
    sock.onopen = () => {
      this.opens++;
      this.backoff = 250;
      this.onstate('open');
      for (const address of this.handlers.keys()) this.frame({ type: 'register', address });
      this.pinger = setInterval(() => this.frame({ type: 'ping' }), 5000);
      this.onopen();
    };
    sock.onmessage = (e) => this.receive(JSON.parse(e.data));
    sock.onclose = () => {
      clearInterval(this.pinger);
      for (const [, r] of this.replies) { clearTimeout(r.timer); r.reject(new Error('connection lost')); }
      this.replies.clear();
      if (this.sock !== sock) return;
      this.onstate('closed');
      if (!this.closedByUser) {
        setTimeout(() => this.connect(), this.backoff);
        this.backoff = Math.min(this.backoff * 2, 5000);
      }
    };
  }

  close() {
    this.closedByUser = true;
    if (this.sock) this.sock.close();
  }

  /** Drops the connection as a network failure would; it comes back by itself. */
  drop() {
    if (this.sock) this.sock.close();
  }

  frame(f) {
    if (!this.sock || this.sock.readyState !== 1) return false;
    f.headers = Object.assign({ authorization: 'Bearer ' + this.token() }, f.headers || {});
    this.sock.send(JSON.stringify(f));
    return true;
  }

  register(address, handler) {
    const list = this.handlers.get(address) || [];
    list.push(handler);
    this.handlers.set(address, list);
    if (list.length === 1) this.frame({ type: 'register', address });
  }

  unregister(address) {
    if (this.handlers.delete(address)) this.frame({ type: 'unregister', address });
  }

  request(address, body, timeoutMs = 10000) {
    return new Promise((resolve, reject) => {
      const replyAddress = crypto.randomUUID(); // the bridge accepts only UUIDs as reply addresses
      const timer = setTimeout(() => { this.replies.delete(replyAddress); reject(new Error('timed out')); }, timeoutMs);
      this.replies.set(replyAddress, { resolve, reject, timer });
      if (!this.frame({ type: 'send', address, body, replyAddress })) {
        clearTimeout(timer);
        this.replies.delete(replyAddress);
        reject(new Error('not connected'));
      }
    });
  }

  receive(f) {
    const reply = this.replies.get(f.address);
    if (reply) {
      this.replies.delete(f.address);
      clearTimeout(reply.timer);
      if (f.type === 'err') reply.reject(new Error(f.message || 'failed')); else reply.resolve(f.body);
      return;
    }
    if (f.type === 'err') { console.warn('bridge error', f); return; }
    for (const h of this.handlers.get(f.address) || []) h(f.body, f);
  }
}

# SPDX-License-Identifier: MIT
# A test upstream for the egress suite: answers every request with its
# path and headers (so a test sees what the proxy forwarded), /bytes/N
# with N bytes; over TLS when given a certificate and key.
import http.server, ssl, sys, socketserver
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # As servers answer: headers and body are two writes, and with Nagle
    # on, a connection the proxy keeps for the next request would hold the
    # body until the proxy's delayed ACK of the headers (40 ms).
    disable_nagle_algorithm = True
    def do_GET(self):
        if self.path.startswith("/bytes/"):
            n = int(self.path.split("/")[2]); self.send_response(200)
            self.send_header("Content-Length", str(n)); self.end_headers()
            chunk = b"x" * 65536
            while n > 0:
                k = min(n, len(chunk)); self.wfile.write(chunk[:k]); n -= k
            return
        body = ("path=%s\n" % self.path + "".join("%s: %s\n" % (k, v) for k, v in self.headers.items())).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    # TRACE as servers that allow it answer: the request, headers and all.
    do_POST = do_TRACE = do_GET
    def log_message(self, *a): pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer): daemon_threads = True
port = int(sys.argv[1]); srv = S(("0.0.0.0", port), H)
if len(sys.argv) > 2:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[2], sys.argv[3]); srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()

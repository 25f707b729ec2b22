"""A webhook receiver for tests: a real HTTP server on loopback that checks Studio's signatures."""
import hashlib
import hmac
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """An HTTP server on loopback that answers 500 to its first `failures` requests, then 204, and checks
    each request's signature the way the README tells receivers to."""

    def __init__(self, failures: int = 1):
        self.failures, self.received, self.secret = failures, [], ""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((self.headers.get("Studio-Signature", ""), body, receiver.verify(
                    self.headers.get("Studio-Signature", ""), body)))
                failing = len(receiver.received) <= receiver.failures
                self.send_response(500 if failing else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host_port = f"127.0.0.1:{self.server.server_address[1]}"
        self.url = f"http://{self.host_port}/hooks/studio"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def verify(self, header: str, body: bytes) -> bool:
        parts = dict(p.split("=", 1) for p in header.split(","))
        expected = hmac.new(self.secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, parts["v1"]) and abs(time.time() - int(parts["t"])) < 300

    def close(self):
        self.server.shutdown()
        self.server.server_close()

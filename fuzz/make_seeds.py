#!/usr/bin/env python3
# Writes the seed corpora (fuzz/corpus/NAME/): a few small hand-written inputs per harness, each a
# typical case of what its parser reads. Run from anywhere; committed output, rerun after edits.
import os

HERE = os.path.dirname(os.path.abspath(__file__))

def frame(opcode, payload, fin=True, rsv1=False):
    b0 = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | opcode
    n = len(payload)
    if n < 126:
        head = bytes([b0, n])
    elif n <= 0xFFFF:
        head = bytes([b0, 126]) + n.to_bytes(2, "big")
    else:
        head = bytes([b0, 127]) + n.to_bytes(8, "big")
    return head + payload

HEAD_101 = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n")
SEEDS = {
    "http_response": [HEAD_101,
                      b"HTTP/1.1 400 Bad Request\r\nServer: nginx\r\nContent-Length: 11\r\n\r\nbad request",
                      b"HTTP/1.0 503 Service Unavailable\n\n",
                      b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive, close\r\n"],
    "handshake": [b"\x01permessage-deflate; client_max_window_bits=10\x00" + HEAD_101.replace(
                      b"\r\n\r\n", b"\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n\r\n"),
                  b"\x00x" + HEAD_101],
    "ws_frame": [b"\x00\x10\x00\x10" + frame(1, b"hello") + frame(9, b"p") + frame(8, b"\x03\xe8bye"),
                 b"\x01\x03\x01\x00" + frame(2, b"ab", fin=False) + frame(0, b"cd") + frame(1, b"\xaa" * 200, rsv1=True),
                 b"\x00\x07\xff\xff" + frame(2, b"x" * 300)],
    "close_payload": [b"\x03\xe8", b"\x03\xe9going away", b"\x0f\xa1backend down", b""],
    "utf8": ["caf\u00e9 \u20ac \U0001F600".encode(), b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80"],
    "permessage_deflate": [b"\x00\x00\x10\x00\x0a\xf2H\xcd\xc9\xc9\x07\x00\x05\xf2H\xcd\xc9",
                           b"\x01\xff\xff\x00\x05hello\x05world"],
    "socks5": [b"\x0bexample.com\x01\xbb\x04user\x05\x00\x00\x01\x7f\x00\x00\x01\x1f\x90",
               b"\x00\x00\x00\x00\x05\x00\x00\x03\x0bexample.com\x00\x50",
               b"\x00\x00\x00\x00\x05\x05\x00\x04" + bytes(15) + b"\x01\x01\xbb"],
    "http_connect": [b"\x04user\x06secret" + b"HTTP/1.1 200 Connection established\r\n\r\n",
                     b"\x00\x00HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n"],
    "proxy_protocol": [b"PROXY TCP4 192.0.2.1 198.51.100.7 56324 443\r\nGET / HTTP/1.1\r\n",
                       b"PROXY TCP6 2001:db8::1 2001:db8::2 1 65535\r\n", b"PROXY UNKNOWN\r\n",
                       b"\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c\xc0\x00\x02\x01\xc6\x33\x64\x07\xdc\x04\x01\xbb",
                       b"\r\n\r\n\x00\r\nQUIT\n\x20\x00\x00\x00"],
    "tls_record": [b"\x15\x03\x03\x00\x02\x02\x28", b"\x16\x03\x01\x00\x05\x02\x00\x00\x01\x00",
                   b"HTTP/1.1 400 Bad Request\r\n\r\n", b"SSH-2.0-OpenSSH_9.2\r\n"],
    "targets_file": [b"\x00\x05wss://a.example/ws --timeout 5s -H 'X-Env: prod'\n# comment\nws://b.example:8080/ \"--name=b c\"\n",
                     b"\x01\x05[{\"url\": \"wss://a.example/\", \"timeout\": \"2s\", \"tag\": [\"eu\", \"prod\"]}]",
                     b"\x02\x05targets:\n  - url: wss://a.example/\n    header: ['X-A: 1']\n  - url: ws://[::1]:9000/x\n"],
    "url": [b"wss://example.com/ws?token=abc", b"ws://[::1]:8080/", b"ws://127.0.0.1:0/",
            b"http://user:pass@proxy.example:3128", b"socks5h://[2001:db8::1]"],
    "option_values": [b"1.5s", b"500ms", b"4K", b"X-Api-Key: secret", b"example.com:443:127.0.0.1",
                      b"example.com:443:[::1]:8443", b"1.3"],
    "cli": [b"\x00wss://example.com/\x00--timeout\x003s\x00-H\x00X-A: 1\x00--json",
            b"\x1bwss://a.example/ --count 2\n\x00-\x00-j\x002\x00--jsonl",
            b"\x00--help", b"\x00demo"],
}

for name, seeds in SEEDS.items():
    folder = os.path.join(HERE, "corpus", name)
    os.makedirs(folder, exist_ok=True)
    for i, seed in enumerate(seeds):
        with open(os.path.join(folder, f"seed{i}"), "wb") as f:
            f.write(seed)

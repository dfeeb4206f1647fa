#pragma once
// OpenSSL's own words, as stage details and observations quote them.
#include <openssl/x509.h>

#include <string>

namespace wsprobe {

// ERR_error_string_n's text for an error code ("error:0A000086:SSL routines::certificate verify failed").
std::string openssl_error_text(unsigned long code);

// The oldest error on this thread's OpenSSL queue, as text, and the queue emptied.
std::string take_openssl_error();

// A distinguished name as RFC 2253 writes it ("CN=localhost,O=wsprobe lab").
std::string name_rfc2253(const X509_NAME* name);

}  // namespace wsprobe

// Whether a listen address stays on this machine. ethrecd speaks plaintext
// until TLS is configured, so it refuses any other address unless told
// otherwise (--allow_insecure), and then warns.
#ifndef ETHREC_SERVICE_LISTEN_ADDRESS_H_
#define ETHREC_SERVICE_LISTEN_ADDRESS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ethrec::service {

// True for "127.x.y.z:PORT", "[::1]:PORT" and "localhost:PORT": addresses
// only this machine can reach. False for anything else, including
// "0.0.0.0:PORT", "[::]:PORT" and a host name.
bool IsLoopbackAddress(absl::string_view address);

// OK for a loopback address, or for any address when `allow_insecure`;
// otherwise FailedPrecondition explaining what to do (field "listen").
absl::Status CheckPlaintextListen(absl::string_view address, bool allow_insecure);

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_LISTEN_ADDRESS_H_

#include "service/listen_address.h"

#include <arpa/inet.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "mapping/status_field.h"

namespace ethrec::service {

bool IsLoopbackAddress(absl::string_view address) {
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) return false;
  absl::string_view host = address.substr(0, colon);
  if (host == "localhost") return true;
  if (absl::StartsWith(host, "[") && absl::EndsWith(host, "]")) {
    const std::string v6(host.substr(1, host.size() - 2));
    in6_addr a{};
    return inet_pton(AF_INET6, v6.c_str(), &a) == 1 && IN6_IS_ADDR_LOOPBACK(&a);
  }
  const std::string v4(host);
  in_addr a{};
  // 127.0.0.0/8 is loopback; inet_pton refuses anything but dotted quads.
  return inet_pton(AF_INET, v4.c_str(), &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

absl::Status CheckPlaintextListen(absl::string_view address, bool allow_insecure) {
  if (allow_insecure || IsLoopbackAddress(address)) return absl::OkStatus();
  return WithField(absl::FailedPreconditionError(absl::StrCat(
                       "refusing to serve plaintext on ", address,
                       ", which other machines can reach: listen on 127.0.0.1 or [::1], or give "
                       "--allow_insecure to accept the risk (ethnicity is special-category data)")),
                   "listen");
}

}  // namespace ethrec::service

// AuditService (see proto/ethrec/v1/audit_service.proto for the contract):
// the call's logic in AuditApi, callable without a server, and
// AuditServiceImpl, its thin gRPC adapter. Only role "auditor" may call it
// (the access table, access_policy.cc).
//
// Page tokens are opaque to callers: they carry the last event id of the
// page, the newest event id when the listing began (later pages keep to the
// events there were then, so the listing's own events never keep it going)
// and a fingerprint of the filters, so a token cannot be replayed with
// other filters.
#ifndef ETHREC_SERVICE_AUDIT_SERVICE_H_
#define ETHREC_SERVICE_AUDIT_SERVICE_H_

#include "absl/status/statusor.h"
#include "ethrec/v1/audit_service.grpc.pb.h"
#include "service/access_policy.h"
#include "service/caller.h"
#include "service/store.h"

namespace ethrec::service {

class AuditApi {
 public:
  struct Options {
    Store* store = nullptr;  // not owned; required
    int default_page_size = 100;
    int max_page_size = 1000;
  };

  explicit AuditApi(const Options& options) : options_(options) {}

  // One page of the events matching the request's filters, oldest first.
  // The listing is itself audited (by the store). InvalidArgument naming the
  // field for a negative page_size or child_id, an invalid agency, a method
  // that is not a full method name ("/package.Service/Method"), an end_time
  // not after start_time, or a page_token that is not this service's or was
  // issued for other filters; the store's errors otherwise.
  absl::StatusOr<v1::ListAuditEventsResponse> ListAuditEvents(const Caller& caller,
                                                              const v1::ListAuditEventsRequest& request);

 private:
  Options options_;
};

class AuditServiceImpl final : public v1::AuditService::Service {
 public:
  using Options = AuditApi::Options;

  // `gate` (not owned) admits every call.
  AuditServiceImpl(const Options& options, const CallGate& gate) : api_(options), gate_(gate) {}

  grpc::Status ListAuditEvents(grpc::ServerContext* context, const v1::ListAuditEventsRequest* request,
                               v1::ListAuditEventsResponse* response) override;

 private:
  AuditApi api_;
  const CallGate& gate_;
};

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_AUDIT_SERVICE_H_

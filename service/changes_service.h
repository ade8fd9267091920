// ChangesService (proto/ethrec/v1/changes_service.proto): the change feed.
// The calls' logic in ChangesApi, callable without a server, and
// ChangesServiceImpl, its thin gRPC adapter.
//
// A watch reads the store's change log a page at a time
// (Store::ReadChanges, one audited transaction per page) and hands each
// event to a writer that blocks while the client is slow (gRPC flow
// control), so a watch holds at most one page in memory whatever the
// backlog. Between pages it waits for the store's commits
// (Store::WaitForChanges), sending a bookmark every bookmark_interval.
#ifndef ETHREC_SERVICE_CHANGES_SERVICE_H_
#define ETHREC_SERVICE_CHANGES_SERVICE_H_

#include <atomic>
#include <functional>
#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "ethrec/v1/changes_service.grpc.pb.h"
#include "service/access_policy.h"
#include "service/caller.h"
#include "service/store.h"

namespace ethrec::service {

class ChangesApi {
 public:
  struct Options {
    // Not owned; required; must outlive the api.
    Store* store = nullptr;
    // The longest a watch stays silent: a Bookmark after this long without
    // an event. Default 5 seconds.
    absl::Duration bookmark_interval = absl::Seconds(5);
    // Most concurrent watches per agency (the caller's). Default 16.
    int max_watchers_per_agency = 16;
    // Entries a watch reads from the log per page. Default 500.
    int page_entries = 500;
    // The least time between a watch's reads of the log while changes keep
    // coming: every read is an audited transaction, so a watch woken by
    // each commit would double the transactions writers wait behind. Changes
    // committed meanwhile come in the next read's page; this bounds the
    // delay a watch adds. Zero: read on every wake-up. Default 20 ms.
    absl::Duration min_read_interval = absl::Milliseconds(20);
  };

  explicit ChangesApi(const Options& options) : options_(options) {}

  // Where events go: false when the client has gone (the watch ends).
  using EventWriter = std::function<bool(const v1::ChangeEvent&)>;

  // Runs one watch until the client goes (OK), the call is cancelled or the
  // api stops (Cancelled, Unavailable), or an error: InvalidArgument
  // naming the field for a bad token or filter; OutOfRange for a token past
  // retention or ahead of the log; PermissionDenied for another agency
  // (record systems); ResourceExhausted over max_watchers_per_agency; the
  // store's errors. `cancelled` is asked at least every 200 ms.
  absl::Status Watch(const Caller& caller, const v1::WatchChangesRequest& request, const EventWriter& write,
                     const std::function<bool()>& cancelled);

  // One page of changes (AIP-158). Errors as Watch, but ResourceExhausted.
  absl::StatusOr<v1::ListChangesResponse> ListChanges(const Caller& caller, const v1::ListChangesRequest& request);

  // Ends every watch (Unavailable: resume from the last token) within
  // 200 ms, and refuses new ones: for a server about to drain.
  void Stop() { stopped_.store(true); }

 private:
  // Holds one of the agency's watch slots while it lives.
  class WatchSlot;

  Options options_;
  std::atomic<bool> stopped_{false};
  absl::Mutex mu_;
  std::map<std::string, int> watchers_ ABSL_GUARDED_BY(mu_);  // by agency
};

// The token of the change log's latest position, for a snapshot read
// (ListFindings, GetChild) to return as its watch_token. Take it BEFORE
// reading the snapshot: a change that commits after the token is then
// after it in the log, so a watch from the token misses nothing the
// snapshot missed, and repeats at most the changes that committed between
// the token and the snapshot (at least once, as the feed always is). On
// PostgreSQL an entry committed but not yet sequenced gets a position
// after every one already given, so it too comes after the token. Errors:
// the store's (GetChangeLogState).
absl::StatusOr<std::string> SnapshotWatchToken(Store& store);

class ChangesServiceImpl final : public v1::ChangesService::Service {
 public:
  using Options = ChangesApi::Options;

  // `gate` (not owned) admits every call.
  ChangesServiceImpl(const Options& options, const CallGate& gate) : api_(options), gate_(gate) {}

  grpc::Status WatchChanges(grpc::ServerContext* context, const v1::WatchChangesRequest* request,
                            grpc::ServerWriter<v1::ChangeEvent>* writer) override;
  grpc::Status ListChanges(grpc::ServerContext* context, const v1::ListChangesRequest* request,
                           v1::ListChangesResponse* response) override;

  ChangesApi& api() { return api_; }

 private:
  ChangesApi api_;
  const CallGate& gate_;
};

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_CHANGES_SERVICE_H_

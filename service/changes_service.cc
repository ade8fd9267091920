#include "service/changes_service.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "api/convert.h"
#include "mapping/status_field.h"
#include "service/change_token.h"
#include "service/serve_call.h"

namespace ethrec::service {
namespace {

constexpr absl::string_view kWatchMethod = "/ethrec.v1.ChangesService/WatchChanges";
constexpr absl::string_view kListMethod = "/ethrec.v1.ChangesService/ListChanges";
// How often a waiting watch looks at its call's cancellation and Stop.
constexpr absl::Duration kCheckInterval = absl::Milliseconds(200);

// The filters of a request, as a store query (after 0, limit unset).
template <typename Request>
absl::StatusOr<ChangeQuery> QueryFrom(const Caller& caller, const Request& r) {
  ChangeQuery q;
  for (int i = 0; i < r.kinds_size(); ++i) {
    switch (r.kinds(i)) {
      case v1::RECORD_WRITTEN: q.kinds.push_back(ChangeKind::kRecordWritten); break;
      case v1::FINDING_CHANGED: q.kinds.push_back(ChangeKind::kFindingChanged); break;
      default:
        return WithField(absl::InvalidArgumentError(absl::StrCat("kinds[", i, "] ", r.kinds(i),
                                                                 " is not a kind of change (RECORD_WRITTEN, "
                                                                 "FINDING_CHANGED)")),
                         absl::StrCat("kinds[", i, "]"));
    }
  }
  if (!SeesEveryAgency(caller.role) && !r.agency().empty() && r.agency() != caller.agency) {
    return WithField(absl::PermissionDeniedError(absl::StrCat("role \"", caller.role,
                                                              "\" sees only its own agency's changes; role \"",
                                                              kDataQualityRole, "\" sees every agency's")),
                     "agency");
  }
  q.agency = r.agency();
  return q;
}

// Where a feed read starts: the position `token` names, checked against the
// log; `empty` when there is none.
absl::StatusOr<int64_t> StartPosition(Store& store, absl::string_view token, absl::string_view field,
                                      bool from_latest) {
  absl::StatusOr<ChangeLogState> state = store.GetChangeLogState();
  if (!state.ok()) return state.status();
  if (token.empty()) return from_latest ? state->latest : state->purged_through;
  absl::StatusOr<int64_t> position = DecodeChangeToken(token, field);
  if (!position.ok()) return position.status();
  if (*position > state->latest) {
    return WithField(absl::OutOfRangeError(absl::StrCat(
                         field, " names change ", *position, ", after the latest in this server's log (",
                         state->latest, "): it comes from another database or one restored from a backup; "
                         "resync: re-read what you keep with ListFindings or GetChild and watch from their watch_token, "
                         "or ListChanges from an empty since_token and watch from its last page's watch_token")),
                     field);
  }
  return *position;  // a purged one is refused by ReadChanges, in its own transaction
}

v1::ChangeEvent Bookmark(int64_t position) {
  v1::ChangeEvent e;
  e.set_token(EncodeChangeToken(position));
  e.mutable_bookmark();
  return e;
}

void ToProto(const ChangeEntry& c, v1::ChangeEvent* out) {
  out->set_token(EncodeChangeToken(c.position));
  api::ToProto(c.time, out->mutable_time());
  if (c.kind == ChangeKind::kRecordWritten) {
    v1::RecordWritten* r = out->mutable_record_written();
    r->set_agency(c.agency);
    r->set_record_id(c.record_id);
    r->set_record_version(c.record_version);
    r->set_outcome(api::ToProto(c.outcome));
    r->set_child_id(c.child_id);
    api::ToProto(c.normalized, r->mutable_value());
    return;
  }
  v1::FindingChanged* f = out->mutable_finding_changed();
  f->set_action(api::ToProto(c.action));
  f->set_finding_id(c.finding_id);
  f->set_child_id(c.child_id);
  f->set_kind(api::ToProto(c.finding_kind));
  f->set_agency(c.agency);
  f->set_other_agency(c.other_agency);
}

}  // namespace

class ChangesApi::WatchSlot {
 public:
  WatchSlot(ChangesApi& api, std::string agency) : api_(api), agency_(std::move(agency)) {}
  ~WatchSlot() {
    if (!taken_) return;
    absl::MutexLock lock(&api_.mu_);
    if (--api_.watchers_[agency_] == 0) api_.watchers_.erase(agency_);
  }
  absl::Status Take() {
    absl::MutexLock lock(&api_.mu_);
    int& n = api_.watchers_[agency_];
    if (n >= api_.options_.max_watchers_per_agency) {
      return absl::ResourceExhaustedError(
          absl::StrCat("agency \"", agency_, "\" already has ", n, " watches open, the most this server allows (",
                       "ethrecd --max_watchers_per_agency); close one, or share one watch between consumers"));
    }
    ++n;
    taken_ = true;
    return absl::OkStatus();
  }

 private:
  ChangesApi& api_;
  const std::string agency_;
  bool taken_ = false;
};

absl::Status ChangesApi::Watch(const Caller& caller, const v1::WatchChangesRequest& request, const EventWriter& write,
                               const std::function<bool()>& cancelled) {
  absl::StatusOr<ChangeQuery> query = QueryFrom(caller, request);
  if (!query.ok()) return query.status();
  WatchSlot slot(*this, caller.agency);
  if (absl::Status s = slot.Take(); !s.ok()) return s;
  absl::StatusOr<int64_t> start = StartPosition(*options_.store, request.since_token(), "since_token", true);
  if (!start.ok()) return start.status();
  query->after = *start;
  query->limit = options_.page_entries;
  const Access access = StoreAccess(caller);
  // The first event says where the watch starts, so that a client that
  // watches "from now" has a token to resume from before any change.
  if (!write(Bookmark(query->after))) return absl::OkStatus();
  absl::Time next_bookmark = absl::Now() + options_.bookmark_interval;
  bool read = true;  // the first page is read whatever the log says
  absl::Time next_read = absl::InfinitePast();
  while (true) {
    if (cancelled()) return absl::CancelledError("the watch was cancelled");
    if (stopped_.load()) {
      return absl::UnavailableError("the server is shutting down: resume the watch from the last token");
    }
    if (read && absl::Now() < next_read) {
      // Woken again too soon: let more commits gather into one read,
      // looking at cancellation and Stop meanwhile.
      absl::SleepFor(std::min(next_read - absl::Now(), kCheckInterval));
      continue;
    }
    if (read) {
      absl::StatusOr<ChangePage> page = options_.store->ReadChanges(*query, access);
      if (!page.ok()) return page.status();
      for (const ChangeEntry& entry : page->entries) {
        v1::ChangeEvent e;
        ToProto(entry, &e);
        if (!write(e)) return absl::OkStatus();
      }
      if (!page->entries.empty()) next_bookmark = absl::Now() + options_.bookmark_interval;
      query->after = page->last_position;
      // A watch catching up reads its pages back to back; the interval
      // counts from the read that caught up.
      if (page->more) continue;
      next_read = absl::Now() + options_.min_read_interval;
    }
    const absl::Time now = absl::Now();
    if (now >= next_bookmark) {
      if (!write(Bookmark(query->after))) return absl::OkStatus();
      next_bookmark = now + options_.bookmark_interval;
    }
    absl::StatusOr<int64_t> latest =
        options_.store->WaitForChanges(query->after, std::min(next_bookmark, now + kCheckInterval));
    if (!latest.ok()) return latest.status();
    read = *latest > query->after;
  }
}

absl::StatusOr<v1::ListChangesResponse> ChangesApi::ListChanges(const Caller& caller,
                                                               const v1::ListChangesRequest& request) {
  absl::StatusOr<ChangeQuery> query = QueryFrom(caller, request);
  if (!query.ok()) return query.status();
  if (request.page_size() < 0) {
    return WithField(absl::InvalidArgumentError(absl::StrCat("page_size ", request.page_size(), " is negative")),
                     "page_size");
  }
  query->limit = request.page_size() == 0 ? 100 : std::min(request.page_size(), 1000);
  const bool paging = !request.page_token().empty();
  absl::StatusOr<int64_t> start =
      StartPosition(*options_.store, paging ? request.page_token() : request.since_token(),
                    paging ? "page_token" : "since_token", false);
  if (!start.ok()) return start.status();
  query->after = *start;
  absl::StatusOr<ChangePage> page = options_.store->ReadChanges(*query, StoreAccess(caller));
  if (!page.ok()) return page.status();
  v1::ListChangesResponse response;
  for (const ChangeEntry& entry : page->entries) ToProto(entry, response.add_events());
  const std::string token = EncodeChangeToken(page->last_position);
  if (page->more) response.set_next_page_token(token);
  response.set_watch_token(token);
  return response;
}

absl::StatusOr<std::string> SnapshotWatchToken(Store& store) {
  absl::StatusOr<ChangeLogState> state = store.GetChangeLogState();
  if (!state.ok()) return state.status();
  return EncodeChangeToken(state->latest);
}

grpc::Status ChangesServiceImpl::WatchChanges(grpc::ServerContext* context, const v1::WatchChangesRequest* request,
                                              grpc::ServerWriter<v1::ChangeEvent>* writer) {
  absl::StatusOr<Caller> caller = gate_.Admit(*context, kWatchMethod);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  // ServerWriter::Write blocks while the client's flow-control window is
  // full: a slow client holds its watch, not an unbounded queue.
  return ToGrpcStatus(api_.Watch(
      *caller, *request, [writer](const v1::ChangeEvent& e) { return writer->Write(e); },
      [context] { return context->IsCancelled(); }));
}

grpc::Status ChangesServiceImpl::ListChanges(grpc::ServerContext* context, const v1::ListChangesRequest* request,
                                             v1::ListChangesResponse* response) {
  return ServeCall(*context, gate_, kListMethod, response,
                   [&](const Caller& caller) { return api_.ListChanges(caller, *request); });
}

}  // namespace ethrec::service

// PostgresStore's change log (service/store.h "The change feed"), across
// replicas. A writer inserts its entries with no position, in its own
// transaction, and once it has committed wakes its own replica's sequencer
// thread, in process (PokeSequencer). A sequencer round that takes the
// sequencer's advisory lock gives every committed entry, of any replica,
// its position after the latest given, in one statement
// (kSequenceChanges), and NOTIFYs ethrec_changes_sequenced, which every
// replica's sequencer LISTENs for to wake its watchers. A round that finds
// the lock taken (another replica's round, which may have begun before
// this replica's commit) tries again, until one of its own has held the
// lock. Rounds are kMinGap apart at least, so that under load one round
// sequences many calls' entries. So positions follow commit order (an
// entry that commits late gets a later position: a reader by position
// never skips one), and writers never wait on one another for the log. A
// lost wake-up costs at most the one-second poll.
//
// Writers do not NOTIFY: a NOTIFY makes its transaction take a lock that
// every notifying commit in the cluster queues for, through its WAL flush,
// and under a bulk load that put data entry's commits behind the bulk
// writes' (issue 12, item 5).
#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "service/postgres/postgres_store.h"
#include "service/postgres/statement.h"
#include "service/sqlite/row_codec.h"
#include "service/sqlite/schema.h"

namespace ethrec {
namespace {

namespace pg = postgres_internal;
using postgres_internal::Connection;
using postgres_internal::Query;

// The sequencer's advisory lock: the two-key form, a space apart from the
// one-key locks writers take on children and identifiers.
constexpr char kTrySequencerLock[] = "SELECT CASE WHEN pg_try_advisory_xact_lock(1701, 13) THEN 1 ELSE 0 END";
constexpr absl::Duration kPoll = absl::Seconds(1);
// The shortest time between two rounds of one replica's sequencer.
constexpr absl::Duration kMinGap = absl::Milliseconds(50);

constexpr int kPosition = sqlite_internal::kNumObservationColumns;

absl::Status CorruptChange(absl::string_view column) {
  return absl::DataLossError(absl::StrCat("postgres: changes.", column, " holds a value this build cannot read"));
}

absl::StatusOr<ChangeEntry> ReadChangeRow(const Query& q) {
  ChangeEntry e;
  e.position = q.ColumnInt(kPosition);
  e.time = absl::FromUnixMicros(q.ColumnInt(kPosition + 1));
  e.child_id = q.ColumnInt(kPosition + 3);
  e.agency = q.ColumnText(kPosition + 4);
  const std::string action = q.ColumnText(kPosition + 7);
  if (q.ColumnInt(kPosition + 2) == static_cast<int>(ChangeKind::kRecordWritten)) {
    e.kind = ChangeKind::kRecordWritten;
    e.record_id = q.ColumnText(kPosition + 5);
    e.record_version = q.ColumnInt(kPosition + 6);
    if (action == WriteOutcomeName(WriteOutcome::kInserted)) {
      e.outcome = WriteOutcome::kInserted;
    } else if (action == WriteOutcomeName(WriteOutcome::kHistorical)) {
      e.outcome = WriteOutcome::kHistorical;
    } else {
      return CorruptChange("action");
    }
    absl::StatusOr<StoredObservation> o = sqlite_internal::ReadObservationRow(q);
    if (!o.ok()) return o.status();
    e.normalized = std::move(o->normalized);
    return e;
  }
  if (q.ColumnInt(kPosition + 2) != static_cast<int>(ChangeKind::kFindingChanged)) return CorruptChange("kind");
  e.kind = ChangeKind::kFindingChanged;
  std::optional<FindingAction> a = ParseFindingAction(action);
  if (!a.has_value()) return CorruptChange("action");
  e.action = *a;
  e.finding_id = q.ColumnInt(kPosition + 8);
  std::optional<FindingKind> kind = ParseFindingKind(q.ColumnText(kPosition + 9));
  if (!kind.has_value()) return CorruptChange("finding_kind");
  e.finding_kind = *kind;
  e.other_agency = q.ColumnText(kPosition + 10);
  return e;
}

absl::StatusOr<ChangeLogState> ReadState(Connection& c) {
  Query q(c, pg::kChangeLogState);
  absl::StatusOr<bool> row = q.Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::DataLossError("postgres: change_log_state has no row");
  return ChangeLogState{.latest = q.ColumnInt(0), .purged_through = q.ColumnInt(1)};
}

}  // namespace

absl::Status PostgresStore::InsertChange(Txn& txn, const ChangeEntry& e) {
  txn.changes_pending = true;
  const bool record = e.kind == ChangeKind::kRecordWritten;
  txn.changes.Int(absl::ToUnixMicros(e.time))
      .Int(static_cast<int64_t>(e.kind))
      .Int(e.child_id)
      .Text(e.agency)
      .Text(e.record_id)
      .Int(e.record_version)
      .Text(record ? WriteOutcomeName(e.outcome) : FindingActionName(e.action))
      .Int(e.finding_id)
      .Text(record ? absl::string_view() : FindingKindName(e.finding_kind))
      .Text(e.other_agency)
      .EndRow();
  return absl::OkStatus();
}

absl::Status PostgresStore::InsertChanges(Txn& txn) {
  return pg::InsertRows(txn.conn, pg::kInsertChanges, txn.changes);
}

absl::StatusOr<ChangeLogState> PostgresStore::GetChangeLogState() {
  absl::StatusOr<std::unique_ptr<Connection>> taken = pool_.Take();
  if (!taken.ok()) return taken.status();
  pg::Lease conn(pool_, *std::move(taken));
  return ReadState(*conn);
}

absl::StatusOr<ChangePage> PostgresStore::ReadChanges(const ChangeQuery& query, const Access& access) {
  // One snapshot (REPEATABLE READ): the sequencer gives positions and moves
  // change_log_state in one transaction, so every position up to the
  // latest read here is visible here.
  return Audited<ChangePage>(
      access, Isolation::kRead, Undo::kOnError,
      [&](Txn& txn, Touched& touched, int64_t) -> absl::StatusOr<ChangePage> {
        if (absl::Status s = store_internal::CheckChangeQuery(query, access); !s.ok()) return s;
        absl::StatusOr<ChangeLogState> state = ReadState(txn.conn);
        if (!state.ok()) return state.status();
        if (absl::Status s = store_internal::CheckNotPurged(query.after, state->purged_through); !s.ok()) return s;
        ChangePage page{.last_position = query.after};
        Query q(txn.conn, pg::kReadChanges);
        q.Int(query.after).Int(query.limit + 1);
        int examined = 0;
        while (true) {
          absl::StatusOr<bool> row = q.Step();
          if (!row.ok()) return row.status();
          if (!*row) break;
          if (examined == query.limit) {
            page.more = true;
            break;
          }
          ++examined;
          absl::StatusOr<ChangeEntry> e = ReadChangeRow(q);
          if (!e.ok()) return e.status();
          page.last_position = e->position;
          if (!store_internal::MatchesChange(query, access, *e)) continue;
          touched.child_ids.push_back(e->child_id);
          page.entries.push_back(*std::move(e));
        }
        if (!page.more) page.last_position = std::max(page.last_position, state->latest);
        return page;
      });
}

absl::StatusOr<int64_t> PostgresStore::WaitForChanges(int64_t after, absl::Time deadline) {
  return signal_.Wait(after, deadline);
}

absl::StatusOr<int64_t> PostgresStore::PurgeExpiredChanges(int batch) {
  if (absl::Status s = store_internal::CheckChangesPurge(options_.store.changes_retention, batch); !s.ok()) return s;
  int64_t purged = 0;
  while (true) {
    absl::StatusOr<std::unique_ptr<Connection>> taken = pool_.Take();
    if (!taken.ok()) return taken.status();
    pg::Lease conn(pool_, *std::move(taken));
    const int64_t cutoff_us = NowMicros() - absl::ToInt64Microseconds(options_.store.changes_retention);
    auto fail = [&conn](absl::Status s) {
      if (!conn->broken()) conn->Exec("ROLLBACK").IgnoreError();
      return s;
    };
    if (absl::Status s = conn->Exec("BEGIN"); !s.ok()) return s;
    int64_t up_to = 0;
    {
      Query q(*conn, pg::kPurgeChangesUpTo);
      absl::StatusOr<bool> row = q.Int(cutoff_us).Int(batch).Step();
      if (!row.ok()) return fail(row.status());
      if (*row) up_to = q.ColumnInt(0);
    }
    int64_t deleted = 0;
    if (up_to > 0) {
      Query d(*conn, pg::kDeleteChanges);
      if (absl::Status s = d.Int(up_to).Run(); !s.ok()) return fail(s);
      deleted = d.Affected();
      if (absl::Status s = Query(*conn, pg::kSetChangesPurgedThrough).Int(up_to).Run(); !s.ok()) return fail(s);
    }
    if (absl::Status s = conn->Exec("COMMIT"); !s.ok()) return fail(s);
    purged += deleted;
    if (deleted < batch) return purged;
  }
}

absl::Status PostgresStore::StartSequencer() {
  sequencer_wake_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (sequencer_wake_ < 0) {
    return absl::InternalError(absl::StrCat("postgres store: cannot create the sequencer's eventfd (errno ", errno, ")"));
  }
  sequencer_ = std::thread([this] { RunSequencer(); });
  return absl::OkStatus();
}

void PostgresStore::PokeSequencer() {
  if (sequencer_wake_ < 0) return;
  const uint64_t one = 1;
  // Fails only if the counter would overflow, when the sequencer has a
  // wake-up pending anyway.
  [[maybe_unused]] const ssize_t written = write(sequencer_wake_, &one, sizeof one);
}

void PostgresStore::StopSequencer() {
  stop_sequencer_ = true;
  PokeSequencer();
  if (sequencer_.joinable()) sequencer_.join();
  signal_.Close();
}

absl::StatusOr<PostgresStore::SequenceRound> PostgresStore::SequenceOnce(Connection& c) {
  auto fail = [&c](absl::Status s) {
    if (!c.broken()) c.Exec("ROLLBACK").IgnoreError();
    return s;
  };
  if (absl::Status s = c.Exec("BEGIN ISOLATION LEVEL READ COMMITTED"); !s.ok()) return s;
  SequenceRound round;
  {
    Query q(c, std::string(kTrySequencerLock));
    absl::StatusOr<bool> row = q.Step();
    if (!row.ok()) return fail(row.status());
    round.locked = *row && q.ColumnInt(0) == 1;
  }
  absl::StatusOr<ChangeLogState> before = ReadState(c);
  if (!before.ok()) return fail(before.status());
  round.latest = before->latest;
  if (round.locked) {
    Query q(c, pg::kSequenceChanges);
    absl::StatusOr<bool> row = q.Step();
    if (!row.ok()) return fail(row.status());
    if (*row) round.latest = q.ColumnInt(0);
    round.assigned = round.latest - before->latest;
  }
  if (absl::Status s = c.Exec("COMMIT"); !s.ok()) return fail(s);
  return round;
}

void PostgresStore::RunSequencer() {
  std::unique_ptr<Connection> c;
  absl::Time next_round = absl::InfinitePast();
  absl::Time last_round = absl::InfinitePast();
  // This replica has committed entries since the last round of its own
  // that held the lock.
  bool own_pending = false;
  int own_pid = 0;  // the connection's backend: its own NOTIFYs tell it nothing
  while (!stop_sequencer_.load()) {
    if (c == nullptr || c->broken()) {
      absl::StatusOr<std::unique_ptr<Connection>> opened = Connection::Open(options_.conninfo);
      if (!opened.ok() || !(*opened)->Exec("LISTEN ethrec_changes_sequenced").ok()) {
        c.reset();
        absl::SleepFor(absl::Milliseconds(250));  // the server is away: try again
        continue;
      }
      c = *std::move(opened);
      own_pid = PQbackendPID(c->raw());
      next_round = absl::InfinitePast();
    }
    // Wait for a wake-up, another replica's notification or the next round.
    const int64_t wait_ms = std::clamp<int64_t>(absl::ToInt64Milliseconds(next_round - absl::Now()), 0,
                                                absl::ToInt64Milliseconds(kPoll));
    pollfd fds[2] = {{.fd = PQsocket(c->raw()), .events = POLLIN, .revents = 0},
                     {.fd = sequencer_wake_, .events = POLLIN, .revents = 0}};
    poll(fds, 2, static_cast<int>(wait_ms));
    bool woken = false;
    if (fds[1].revents & POLLIN) {
      uint64_t count = 0;
      [[maybe_unused]] const ssize_t read_bytes = read(sequencer_wake_, &count, sizeof count);
      own_pending = true;
      woken = true;
    }
    PQconsumeInput(c->raw());
    while (PGnotify* n = PQnotifies(c->raw())) {
      if (n->be_pid != own_pid) woken = true;
      PQfreemem(n);
    }
    if (stop_sequencer_.load()) break;
    // Rounds at most every kMinGap: under load one round sequences the
    // entries of many calls.
    if (woken) next_round = std::min(next_round, std::max(absl::Now(), last_round + kMinGap));
    if (absl::Now() < next_round) continue;
    last_round = absl::Now();
    next_round = last_round + kPoll;
    absl::StatusOr<SequenceRound> round = SequenceOnce(*c);
    if (!round.ok()) continue;  // a broken connection is opened again
    if (round->locked) {
      own_pending = false;
    } else if (own_pending) {
      next_round = last_round + kMinGap;  // another replica's round may have begun before our commit
    }
    if (round->assigned > 0) c->Exec("NOTIFY ethrec_changes_sequenced").IgnoreError();
    if (round->assigned >= pg::kMaxSequencedPerRound) next_round = last_round + kMinGap;  // more may wait
    signal_.Notify(round->latest);
  }
}

}  // namespace ethrec

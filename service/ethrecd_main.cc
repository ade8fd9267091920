// ethrecd: the ethrec gRPC server.
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "mapping/normalizer.h"
#include "mapping/reconcile.h"
#include "service/listen_address.h"
#include "service/server.h"
#include "service/sqlite_store.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "address to listen on (port 0: any free port); plaintext, so loopback only unless --allow_insecure");
ABSL_FLAG(bool, allow_insecure, false,
          "serve plaintext on an address other machines can reach (not for real data: it warns at start-up)");
ABSL_FLAG(std::vector<std::string>, maps, {},
          "directories of local code lists (CodeSystem + ConceptMap JSON), comma-separated");
ABSL_FLAG(std::string, db, "ethrec.db", "SQLite database file (created if missing; WAL mode)");
ABSL_FLAG(int, max_message_bytes, 4 << 20, "largest request message accepted, in bytes");
ABSL_FLAG(bool, findings, true,
          "recompute each child's findings in every write (false: faster bulk loading, findings calls "
          "answer FAILED_PRECONDITION; the next start with findings recomputes every child)");
ABSL_FLAG(int, max_batch_items, 1000, "most items in one batch call");

int main(int argc, char** argv) {
  ethrec::service::BlockStopSignals();
  absl::SetProgramUsageMessage("ethrecd: serves ethnicity normalisation and records over gRPC");
  absl::ParseCommandLine(argc, argv);

  const std::string listen = absl::GetFlag(FLAGS_listen);
  if (absl::Status s = ethrec::service::CheckPlaintextListen(listen, absl::GetFlag(FLAGS_allow_insecure)); !s.ok()) {
    std::cerr << "ethrecd: " << s.message() << "\n";
    return 2;
  }
  if (!ethrec::service::IsLoopbackAddress(listen)) {
    std::cerr << "ethrecd: WARNING: serving plaintext on " << listen
              << " (--allow_insecure): anyone who can reach it can read and write children's data\n";
  }

  ethrec::LoadOptions load;
  load.local_dirs = absl::GetFlag(FLAGS_maps);
  absl::StatusOr<std::unique_ptr<ethrec::Normalizer>> normalizer = ethrec::Normalizer::Create(load);
  if (!normalizer.ok()) {
    std::cerr << "ethrecd: cannot load code lists: " << normalizer.status() << "\n";
    return 1;
  }
  ethrec::SqliteStoreOptions store_options{.path = absl::GetFlag(FLAGS_db)};
  if (absl::GetFlag(FLAGS_findings)) store_options.store.findings_normalizer = normalizer->get();
  absl::StatusOr<std::unique_ptr<ethrec::Store>> store = ethrec::OpenSqliteStore(store_options);
  if (!store.ok()) {
    std::cerr << "ethrecd: cannot open the database: " << store.status() << "\n";
    return 1;
  }
  ethrec::service::ServerOptions options;
  options.store = store->get();
  options.listen_address = listen;
  options.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  options.max_batch_items = absl::GetFlag(FLAGS_max_batch_items);
  options.normalizer = normalizer->get();
  const size_t systems = (*normalizer)->registry().systems().size();
  options.on_listening = [systems](const std::string& address) {
    // Tests read this line to find the port.
    std::cout << "ethrecd: listening on " << address << " with " << systems << " code systems"
              << std::endl;
  };
  absl::Status status = ethrec::service::RunServer(options);
  if (absl::Status closed = (*store)->Close(); !closed.ok() && status.ok()) status = closed;
  if (!status.ok()) {
    std::cerr << "ethrecd: " << status << "\n";
    return 1;
  }
  std::cerr << "ethrecd: stopped\n";
  return 0;
}

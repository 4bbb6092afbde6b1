#include "remote_model.hpp"

#include <stdexcept>

#include "commands.hpp"

namespace medq::cli {

void add_remote_options(CLI::App* sub, RemoteOptions* o) {
  sub->add_option("--token", o->token,
                  "Hugging Face token for hf:// repositories (default: HF_TOKEN, else "
                  "$HF_HOME/token); sent to HF_ENDPOINT's origin only")
      ->type_name("TOKEN");
  sub->add_option("--timeout", o->timeout_s,
                  "Seconds one HTTP request of an hf:// repository may take (1 to 3600, default "
                  "60)")
      ->type_name("SECONDS")
      ->check(whole_number(1, 3600));
}

std::shared_ptr<RemoteStorage> open_remote_model(const std::string& arg, const RemoteOptions& o,
                                                 const std::optional<std::string>& revision) {
  std::string err;
  auto ref = parse_hf_url(arg, &err);
  if (!ref) {
    print_error("'" + arg + "': " + err + " (docs/remote.md)");
    return nullptr;
  }
  if (revision) {
    if (ref->revision_given && ref->revision != *revision) {
      print_error("'" + arg + "' names revision '" + ref->revision + "' and --revision '" +
                  *revision + "': give one");
      return nullptr;
    }
    std::string why;
    std::string probe = std::string(kHfScheme) + ref->repo + "@" + *revision;
    if (!parse_hf_url(probe, &why)) {
      print_error("--revision '" + *revision + "': " + why);
      return nullptr;
    }
    ref->revision = *revision;
    ref->revision_given = true;
  }
  try {
    HubSettings settings = hub_settings_from_env(process_environment(), o.token);
    settings.limits.timeout_ms = static_cast<long>(o.timeout_s) * 1000;
    auto storage = open_remote(*ref, settings);
    storage->prefetch_for_validation();
    return storage;
  } catch (const std::exception& e) {
    print_error(e.what());
    return nullptr;
  }
}

bool refuse_remote(const std::string& arg, const std::string& what) {
  if (!is_hf_url(arg)) return false;
  print_error(what + " reads tensor data, which needs the files locally: download " + arg +
              " first (for example `hf download ORG/NAME --local-dir DIR`) and give the folder; "
              "medq never downloads a model silently");
  return true;
}

bool remote_reads_failed(const RemoteStorage& s) {
  const auto failures = s.failures();
  for (const auto& [name, message] : failures) print_error(message);
  return !failures.empty();
}

}  // namespace medq::cli

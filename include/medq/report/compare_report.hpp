// What `medq compare` reports, laid out once for the text and Markdown renderers: a headline and
// a list of titled sections, each a table with notes. The JSON renderer writes the Comparison's
// numbers directly.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "medq/analysis/comparison.hpp"
#include "medq/remote/remote_read.hpp"
#include "medq/report/recommendation.hpp"
#include "medq/report/section_selection.hpp"
#include "medq/report/sections.hpp"
#include "medq/util/progress.hpp"

namespace medq {

struct CompareReport {
  Comparison comparison;
  std::string model_name;         ///< the model compared, for the title ("" when unknown)
  RichText headline;              ///< one paragraph: what was compared and the verdict
  Recommendation recommendation;  ///< the decision (recommendation.hpp)
  /// What was read of each variant that is a remote repository, in the order given.
  std::vector<RemoteRead> remote;
  std::vector<ReportSection> sections;  ///< "Decision" first
  /// The sections the text, Markdown and HTML renderings show (--sections, --summary); JSON
  /// writes everything.
  SectionSelection selection;

  /// Every variant validates without errors.
  bool all_valid() const;
  /// all_valid() and no error finding about the comparison itself (variants that are not one
  /// model): exit code 0.
  bool passed() const;
};

/// Lays out the comparison, one section per aspect (summary, quantization, sizes, ...): the
/// decision on `criteria` first, then findings about the comparison itself in a section of their
/// own, then the summary.
CompareReport build_compare_report(Comparison c, const CompareCriteria& criteria = {});

struct CompareRequest {
  std::vector<std::string> dirs;  ///< existing directories, labelled as given; or else
  std::filesystem::path root;     ///< every variant under it (discover_variants)
  /// The report's names of `dirs`, in order (variant_labels); empty = the directories as given.
  std::vector<std::string> labels;
  std::string model_name;  ///< for the title (model_name()); may be empty
  /// Per entry of `dirs`: where its bytes are when it is not a local folder (null for one).
  std::vector<std::shared_ptr<const Storage>> storages;
  /// The variant the others are measured against, as given: a label or the same directory as
  /// one of the inputs (find_variant); empty = the most precise.
  std::string baseline;
  CompareOptions options;    ///< options.baseline is set from `baseline`
  CriteriaRequest criteria;  ///< the decision's criteria besides options.memory_budget
  StepProgressFn progress;   ///< the step "measuring fidelity", with options.fidelity
  /// The sections to show (CompareReport::selection); each must be one this comparison has
  /// (check_sections).
  SectionSelection sections;
};

/// Throws std::invalid_argument when `selection` names a section the comparison will not have:
/// fidelity without options.fidelity, quality without options.quality, remote without a remote
/// variant (`any_remote`). Checked before anything is measured.
void check_sections(const SectionSelection& selection, const CompareOptions& options,
                    bool any_remote);

/// Records what was read of the remote variants (RemoteRead per hf:// variant, in the order
/// given) and adds the section "Remote reads" that shows it.
void add_remote_reads(CompareReport& r, std::vector<RemoteRead> reads);

/// `medq compare` as one call: finds the variants, checks the criteria (make_criteria) and the
/// sections (check_sections), compares them, recommends one and lays out the report. Throws
/// std::runtime_error when the variants cannot be found, std::invalid_argument when `baseline` is
/// not one of them or the criteria cannot be used.
CompareReport run_compare(const CompareRequest& request);

/// "+1.23 GB (+45.6%)", "-" for the baseline itself.
std::string format_delta_bytes(const Delta& d, bool is_baseline);
/// "+1,234,567 (+0.1%)".
std::string format_delta_count(const Delta& d, bool is_baseline);

}  // namespace medq

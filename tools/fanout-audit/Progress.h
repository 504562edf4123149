//===- Progress.h - Progress bar on a terminal, plain lines elsewhere -----===//
#ifndef FANOUT_AUDIT_PROGRESS_H
#define FANOUT_AUDIT_PROGRESS_H

#include "Model.h"
#include "llvm/Support/raw_ostream.h"
#include <chrono>

namespace fanout::audit {

enum class ProgressMode { None, Bar, Lines };

/// Reports TUs as they finish. Bar: one redrawn line (done/total, findings so
/// far, failures, elapsed, ETA), problems printed above it. Lines: one line
/// per TU, for CI logs. Everything goes to stderr.
class Progress {
public:
  Progress(ProgressMode Mode, size_t Total, llvm::raw_ostream &OS);
  /// R.File is the display path.
  void unitDone(const TUResult &R, size_t FindingsSoFar);
  /// Redraws the bar now and then (elapsed time and ETA move on their own).
  void tick(size_t FindingsSoFar);
  /// Clears the bar.
  void finish();

private:
  void draw(size_t FindingsSoFar);
  void clear();
  double elapsed() const;

  ProgressMode Mode;
  size_t Total;
  size_t Done = 0;
  size_t Failed = 0;
  llvm::raw_ostream &OS;
  std::chrono::steady_clock::time_point Start, LastDraw;
  bool BarShown = false;
};

/// "1:05", "12:00:07", "0.84s".
std::string formatDuration(double Seconds);

/// One line describing why a TU failed.
std::string describeFailure(const TUResult &R);

} // namespace fanout::audit

#endif

//===- Progress.cpp -------------------------------------------------------===//
#include "Progress.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Process.h"
#include <algorithm>

using namespace llvm;

namespace fanout::audit {

std::string formatDuration(double Seconds) {
  if (Seconds < 10)
    return formatv("{0:f2}s", Seconds).str();
  unsigned S = Seconds + 0.5;
  if (S < 3600)
    return formatv("{0}:{1:d2}", S / 60, S % 60).str();
  return formatv("{0}:{1:d2}:{2:d2}", S / 3600, S / 60 % 60, S % 60).str();
}

std::string describeFailure(const TUResult &R) {
  std::string Out;
  switch (R.Status) {
  case TUStatus::Ok:
    return "ok";
  case TUStatus::Failed:
    Out = formatv("failed to parse ({0} error{1})", R.Errors.size(),
                  R.Errors.size() == 1 ? "" : "s")
              .str();
    break;
  case TUStatus::TimedOut:
    Out = "timed out";
    break;
  case TUStatus::Crashed:
    Out = "analysis crashed";
    break;
  }
  if (!R.Errors.empty()) {
    const Finding &E = R.Errors.front();
    Out += ": ";
    if (!E.Loc.File.empty() && E.Loc.Pos.Line)
      Out +=
          formatv("{0}:{1}:{2}: ", E.Loc.File, E.Loc.Pos.Line, E.Loc.Pos.Column)
              .str();
    Out += E.Message;
  }
  return Out;
}

Progress::Progress(ProgressMode Mode, size_t Total, raw_ostream &OS)
    : Mode(Mode), Total(Total), OS(OS), Start(std::chrono::steady_clock::now()),
      LastDraw(Start) {}

double Progress::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - Start)
      .count();
}

void Progress::clear() {
  if (!BarShown)
    return;
  OS << "\r\x1b[K";
  BarShown = false;
}

void Progress::draw(size_t Findings) {
  unsigned Columns = sys::Process::StandardErrColumns();
  if (Columns == 0)
    Columns = 80;
  double Elapsed = elapsed();
  std::string ETA = "--:--";
  if (Done && Done < Total)
    ETA = formatDuration(Elapsed / Done * (Total - Done));
  else if (Done == Total)
    ETA = "0:00";
  std::string Text =
      formatv(" {0}/{1} TUs | {2} finding{3}{4} | {5} elapsed | ETA {6}", Done,
              Total, Findings, Findings == 1 ? "" : "s",
              Failed ? formatv(" | {0} failed", Failed).str() : "",
              formatDuration(Elapsed), ETA)
          .str();
  int BarWidth = std::min<int>(30, int(Columns) - int(Text.size()) - 3);
  std::string Bar;
  if (BarWidth >= 10) {
    int Filled = Total ? int(BarWidth * Done / Total) : BarWidth;
    Bar = "[" + std::string(Filled, '#') + std::string(BarWidth - Filled, '-') +
          "]";
  }
  std::string Line = (Bar + Text).substr(0, Columns - 1);
  OS << "\r" << Line << "\x1b[K";
  OS.flush();
  BarShown = true;
  LastDraw = std::chrono::steady_clock::now();
}

void Progress::unitDone(const TUResult &R, size_t Findings) {
  ++Done;
  if (R.Status != TUStatus::Ok)
    ++Failed;
  switch (Mode) {
  case ProgressMode::None:
    return;
  case ProgressMode::Lines:
    OS << formatv("[{0}/{1}] {2}: ", Done, Total, R.File);
    if (R.Status == TUStatus::Ok)
      OS << formatv("{0} finding{1}", R.FindingCount,
                    R.FindingCount == 1 ? "" : "s");
    else
      OS << describeFailure(R);
    OS << " (" << formatDuration(R.Seconds) << ")\n";
    OS.flush();
    return;
  case ProgressMode::Bar:
    if (R.Status != TUStatus::Ok) {
      clear();
      OS << "fanout-audit: " << R.File << ": " << describeFailure(R) << "\n";
    }
    draw(Findings);
    return;
  }
}

void Progress::tick(size_t Findings) {
  if (Mode != ProgressMode::Bar)
    return;
  if (std::chrono::steady_clock::now() - LastDraw >
          std::chrono::milliseconds(250) ||
      !BarShown)
    draw(Findings);
}

void Progress::finish() {
  if (Mode == ProgressMode::Bar)
    clear();
  OS.flush();
}

} // namespace fanout::audit

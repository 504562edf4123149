//===- Progress.cpp -------------------------------------------------------===//
#include "Progress.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatAdapters.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Process.h"
#include <algorithm>

using namespace llvm;

namespace fanout::audit {

std::string formatDuration(double Seconds) {
  return formatv("{0:f2}s", Seconds).str();
}

std::string formatClock(double Seconds) {
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

void Progress::draw(size_t FindingsSoFar) {
  unsigned Columns = sys::Process::StandardErrColumns();
  if (Columns == 0)
    Columns = 80;
  // Every field has a fixed width, so the line never changes width: counts
  // padded to the width of the total, times as clocks.
  unsigned Width = std::to_string(Total).size();
  double Elapsed = elapsed();
  std::string ETA = "-:--";
  if (Done && Done < Total)
    ETA = formatClock(Elapsed / Done * (Total - Done));
  else if (Done == Total)
    ETA = "0:00";
  std::string Text =
      formatv(" {0}/{1} TUs | {2} findings | {3} failed | {4,5} elapsed | "
              "ETA {5,5} | ",
              fmt_align(Done, AlignStyle::Right, Width), Total,
              fmt_align(FindingsSoFar, AlignStyle::Right, 4),
              fmt_align(Failed, AlignStyle::Right, Width), formatClock(Elapsed),
              ETA)
          .str();
  // A bar where the TU's name still has room (20 columns) beside it.
  int BarWidth = std::min<int>(20, int(Columns) - int(Text.size()) - 22);
  std::string Bar;
  if (BarWidth >= 10) {
    int Filled = Total ? int(BarWidth * Done / Total) : BarWidth;
    Bar = "[" + std::string(Filled, '#') + std::string(BarWidth - Filled, '-') +
          "]";
  }
  std::string Unit;
  if (!Running.empty()) {
    Unit = Running.front();
    if (Running.size() > 1)
      Unit += formatv(" +{0}", Running.size() - 1).str();
  } else if (Done == Total) {
    Unit = "done";
  }
  std::string Line = Bar + Text;
  size_t Room = Line.size() < Columns - 1 ? Columns - 1 - Line.size() : 0;
  // A long path loses its beginning: the file name matters most.
  if (Unit.size() > Room)
    Unit = Room > 3 ? "..." + Unit.substr(Unit.size() - (Room - 3)) : "";
  Line += Unit;
  Line.resize(Columns - 1, ' ');
  OS << "\r" << Line;
  OS.flush();
  BarShown = true;
  LastDraw = std::chrono::steady_clock::now();
}

void Progress::unitStarted(StringRef File) {
  Running.push_back(File.str());
  if (Mode == ProgressMode::Bar)
    draw(Findings);
}

void Progress::unitDone(const TUResult &R, size_t FindingsSoFar) {
  ++Done;
  Findings = FindingsSoFar;
  if (auto It = llvm::find(Running, R.File); It != Running.end())
    Running.erase(It);
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
    draw(FindingsSoFar);
    return;
  }
}

void Progress::tick(size_t FindingsSoFar) {
  if (Mode != ProgressMode::Bar)
    return;
  if (std::chrono::steady_clock::now() - LastDraw >
          std::chrono::milliseconds(250) ||
      !BarShown)
    draw(FindingsSoFar);
}

void Progress::finish() {
  if (Mode == ProgressMode::Bar)
    clear();
  OS.flush();
}

} // namespace fanout::audit

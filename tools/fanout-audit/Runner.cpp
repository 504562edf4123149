//===- Runner.cpp ---------------------------------------------------------===//
#include "Runner.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace llvm;

namespace fanout::audit {

namespace {

using Clock = std::chrono::steady_clock;

/// The most of a worker's stderr kept in a report.
constexpr size_t MaxLog = 8192;

struct Worker {
  const WorkItem *Item;
  pid_t Pid;
  int Out, Err; ///< -1 once closed.
  std::string OutData, ErrData;
  Clock::time_point Start;
};

void writeAll(int Fd, StringRef Data) {
  while (!Data.empty()) {
    ssize_t N = ::write(Fd, Data.data(), Data.size());
    if (N < 0) {
      if (errno == EINTR)
        continue;
      return;
    }
    Data = Data.drop_front(N);
  }
}

[[noreturn]] void runChild(const WorkItem &Item, AnalyseFn Analyse, int OutFd,
                           int ErrFd) {
  // The driver's stdout carries the report: workers never write to it.
  int Null = ::open("/dev/null", O_RDWR);
  ::dup2(Null, STDIN_FILENO);
  ::dup2(Null, STDOUT_FILENO);
  ::dup2(ErrFd, STDERR_FILENO);
  // For the tests of crash isolation: the worker of a file whose path ends
  // with $FANOUT_AUDIT_TEST_CRASH dies the way an assertion in clang would.
  if (const char *Crash = std::getenv("FANOUT_AUDIT_TEST_CRASH");
      Crash && *Crash && StringRef(Item.File).ends_with(Crash))
    std::abort();
  TUResult R = Analyse(Item);
  std::string Text;
  raw_string_ostream OS(Text);
  OS << toJSON(R, /*Worker=*/true);
  OS.flush();
  writeAll(OutFd, Text);
  // No static destructors, no flushing of buffers inherited from the driver.
  ::_exit(0);
}

std::string tail(StringRef Log) {
  if (Log.size() <= MaxLog)
    return Log.str();
  return "...\n" + Log.take_back(MaxLog).str();
}

Finding workerError(const WorkItem &Item, std::string Message) {
  Finding F;
  F.Check = "fanout-audit";
  F.Severity = Level::Error;
  F.Message = std::move(Message);
  F.Loc.File = Item.File;
  return F;
}

TUResult finishWorker(Worker &W, int Status, bool TimedOut, double Timeout) {
  double Seconds =
      std::chrono::duration<double>(Clock::now() - W.Start).count();
  TUResult R;
  bool Parsed = false;
  if (!TimedOut && WIFEXITED(Status) && WEXITSTATUS(Status) == 0) {
    if (Expected<json::Value> V = json::parse(W.OutData)) {
      if (Expected<TUResult> U = unitFromJSON(*V)) {
        R = std::move(*U);
        Parsed = true;
      } else {
        consumeError(U.takeError());
      }
    } else {
      consumeError(V.takeError());
    }
  }
  if (TimedOut) {
    R.Status = TUStatus::TimedOut;
    R.Errors.push_back(workerError(
        *W.Item, formatv("analysis timed out after {0}s", Timeout).str()));
  } else if (!Parsed) {
    R.Status = TUStatus::Crashed;
    std::string Why;
    if (WIFSIGNALED(Status))
      Why = formatv("analysis crashed (signal {0}: {1})", WTERMSIG(Status),
                    ::strsignal(WTERMSIG(Status)))
                .str();
    else if (WIFEXITED(Status) && WEXITSTATUS(Status) != 0)
      Why =
          formatv("analysis exited with status {0}", WEXITSTATUS(Status)).str();
    else
      Why = "analysis returned no result";
    R.Errors.push_back(workerError(*W.Item, Why));
  } else if (R.Status == TUStatus::Ok &&
             StringRef(W.ErrData).contains("Error while processing")) {
    // libtooling gave up on the TU without a diagnostic (e.g. the driver
    // could not make a compile job of the command).
    R.Status = TUStatus::Failed;
    R.Errors.push_back(workerError(*W.Item, StringRef(W.ErrData).trim().str()));
  }
  R.File = W.Item->File;
  R.Seconds = Seconds;
  if (R.Status != TUStatus::Ok)
    R.Log = tail(W.ErrData);
  return R;
}

void closeFd(int &Fd) {
  if (Fd >= 0)
    ::close(Fd);
  Fd = -1;
}

/// Reads what is available; closes the descriptor at end of file.
void drain(int &Fd, std::string &Into) {
  char Buffer[65536];
  ssize_t N = ::read(Fd, Buffer, sizeof(Buffer));
  if (N < 0 && (errno == EINTR || errno == EAGAIN))
    return;
  if (N <= 0) {
    closeFd(Fd);
    return;
  }
  Into.append(Buffer, N);
}

bool spawn(const WorkItem &Item, AnalyseFn Analyse, Worker &W) {
  int OutPipe[2], ErrPipe[2];
  if (::pipe2(OutPipe, O_CLOEXEC))
    return false;
  if (::pipe2(ErrPipe, O_CLOEXEC)) {
    ::close(OutPipe[0]);
    ::close(OutPipe[1]);
    return false;
  }
  outs().flush();
  errs().flush();
  std::fflush(nullptr);
  pid_t Pid = ::fork();
  if (Pid < 0) {
    for (int Fd : {OutPipe[0], OutPipe[1], ErrPipe[0], ErrPipe[1]})
      ::close(Fd);
    return false;
  }
  if (Pid == 0) {
    ::close(OutPipe[0]);
    ::close(ErrPipe[0]);
    runChild(Item, Analyse, OutPipe[1], ErrPipe[1]);
  }
  ::close(OutPipe[1]);
  ::close(ErrPipe[1]);
  W = Worker{&Item, Pid, OutPipe[0], ErrPipe[0], {}, {}, Clock::now()};
  return true;
}

bool runInProcess(ArrayRef<WorkItem> Items, const RunSettings &Settings,
                  AnalyseFn Analyse, StartFn Start, DoneFn Done, TickFn Tick) {
  for (const WorkItem &Item : Items) {
    Start(Item);
    TUResult R = Analyse(Item);
    R.File = Item.File;
    bool Ok = R.Status == TUStatus::Ok;
    Done(std::move(R));
    Tick();
    if (!Ok && !Settings.KeepGoing)
      return false;
  }
  return true;
}

} // namespace

bool runUnits(ArrayRef<WorkItem> Items, const RunSettings &Settings,
              AnalyseFn Analyse, StartFn Start, DoneFn Done, TickFn Tick) {
  if (!Settings.Isolate)
    return runInProcess(Items, Settings, Analyse, Start, Done, Tick);

  unsigned Jobs = std::max(1u, Settings.Jobs);
  std::vector<Worker> Active;
  size_t Next = 0;
  bool Stopped = false;
  auto Finish = [&](size_t I, int Status, bool TimedOut) {
    TUResult R = finishWorker(Active[I], Status, TimedOut, Settings.Timeout);
    Active.erase(Active.begin() + I);
    if (R.Status != TUStatus::Ok && !Settings.KeepGoing)
      Stopped = true;
    Done(std::move(R));
  };

  while (true) {
    while (!Stopped && Next < Items.size() && Active.size() < Jobs) {
      Start(Items[Next]);
      Worker W;
      if (!spawn(Items[Next], Analyse, W)) {
        // No process to be had (fork or pipe failed): analyse here instead.
        TUResult R = Analyse(Items[Next]);
        R.File = Items[Next].File;
        Done(std::move(R));
      } else {
        Active.push_back(std::move(W));
      }
      ++Next;
    }
    if (Active.empty())
      break;

    // Wait for output, a worker's end, the next deadline or a redraw.
    int WaitMs = 250;
    auto Now = Clock::now();
    if (Settings.Timeout > 0)
      for (const Worker &W : Active) {
        double Left = Settings.Timeout -
                      std::chrono::duration<double>(Now - W.Start).count();
        WaitMs = std::min(WaitMs, std::max(0, int(Left * 1000) + 1));
      }
    // A worker whose pipes are closed is exiting: look again soon.
    if (llvm::any_of(Active,
                     [](const Worker &W) { return W.Out < 0 && W.Err < 0; }))
      WaitMs = std::min(WaitMs, 5);
    std::vector<pollfd> Fds;
    std::vector<std::pair<size_t, bool>> Owners; // Worker, is stdout.
    for (size_t I = 0; I != Active.size(); ++I) {
      if (Active[I].Out >= 0) {
        Fds.push_back({Active[I].Out, POLLIN, 0});
        Owners.push_back({I, true});
      }
      if (Active[I].Err >= 0) {
        Fds.push_back({Active[I].Err, POLLIN, 0});
        Owners.push_back({I, false});
      }
    }
    // With no pipe left open, poll() just waits for WaitMs.
    if (::poll(Fds.data(), Fds.size(), WaitMs) > 0) {
      for (size_t K = 0; K != Fds.size(); ++K) {
        if (!(Fds[K].revents & (POLLIN | POLLHUP | POLLERR)))
          continue;
        Worker &W = Active[Owners[K].first];
        if (Owners[K].second)
          drain(W.Out, W.OutData);
        else
          drain(W.Err, W.ErrData);
      }
    }

    Now = Clock::now();
    for (size_t I = Active.size(); I-- > 0;) {
      Worker &W = Active[I];
      int Status = 0;
      if (W.Out < 0 && W.Err < 0) {
        // Both pipes closed: the worker has exited or is about to (or closed
        // them and runs on, for which the time limit below still holds).
        pid_t Done;
        while ((Done = ::waitpid(W.Pid, &Status, WNOHANG)) < 0 &&
               errno == EINTR)
          ;
        if (Done == W.Pid) {
          Finish(I, Status, /*TimedOut=*/false);
          continue;
        }
      }
      if (Settings.Timeout > 0 &&
          std::chrono::duration<double>(Now - W.Start).count() >
              Settings.Timeout) {
        ::kill(W.Pid, SIGKILL);
        while (::waitpid(W.Pid, &Status, 0) < 0 && errno == EINTR)
          ;
        closeFd(W.Out);
        closeFd(W.Err);
        Finish(I, Status, /*TimedOut=*/true);
      }
    }
    Tick();
  }
  return !Stopped || Next == Items.size();
}

} // namespace fanout::audit

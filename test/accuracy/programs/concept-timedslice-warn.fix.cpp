// accuracy-family: stranded-producer
// accuracy-origin: DUNE-DAQ/trigger plugins/TimingTriggerCandidateMaker.cpp at 0680107 (the retry loop around the timed send) fixed the way the generators of the same repository write it (`while (!successfullyWasSent && running_flag.load())`)
// accuracy-shape: queue=cv-hand-written-timed push=timed-slice-retry fix=retry-loop-watches-running-flag spawner=thread-helper producer=member-function consumer=member-function exit=return wait=join
//
// The fix, as the other DUNE-DAQ modules write it: the retry loop also
// watches running_flag (`while (!successfullyWasSent && running_flag.load())`),
// which the stop command clears once the downstream module has left; the
// maker gives up its remaining candidates and its thread ends.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

using namespace std::chrono_literals;

struct TimeoutExpired : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The iomanager's queue: push and pop wait at most `timeout`, then throw.
template <class T> class StdDeQueue {
public:
  explicit StdDeQueue(std::size_t capacity) : m_capacity(capacity) {}

  void push(T &&obj, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lk(m_mutex);
    if (!m_no_longer_full.wait_for(lk, timeout,
                                   [&] { return m_deque.size() < m_capacity; }))
      throw TimeoutExpired("push timed out");
    m_deque.push_back(std::move(obj));
    m_no_longer_empty.notify_one();
  }

  void pop(T &obj, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lk(m_mutex);
    if (!m_no_longer_empty.wait_for(lk, timeout, [&] { return !m_deque.empty(); }))
      throw TimeoutExpired("pop timed out");
    obj = std::move(m_deque.front());
    m_deque.pop_front();
    m_no_longer_full.notify_one();
  }

private:
  std::mutex m_mutex;
  std::condition_variable m_no_longer_full, m_no_longer_empty;
  std::deque<T> m_deque;
  std::size_t m_capacity;
};

// appfwk's ThreadHelper: runs do_work(running_flag) on a thread.
class ThreadHelper {
public:
  explicit ThreadHelper(std::function<void(std::atomic<bool> &)> fn)
      : m_fn(std::move(fn)) {}
  void start_working_thread() {
    m_running = true;
    m_thread = std::thread([this] { m_fn(m_running); });
  }
  void stop_working_thread() {
    m_running = false;
    m_thread.join();
  }
  // The worker left by itself (an error); reap it.
  void join_exited_thread() { m_thread.join(); }

private:
  std::function<void(std::atomic<bool> &)> m_fn;
  std::atomic<bool> m_running{false};
  std::thread m_thread;
};

struct TriggerCandidate {
  long time_candidate = 0;
  int detid = 0;
};

static std::atomic<long> g_warnings{0};
static void ers_warning(const std::string &) { ++g_warnings; } // to the log

class TimingTriggerCandidateMaker {
public:
  explicit TimingTriggerCandidateMaker(StdDeQueue<TriggerCandidate> &out)
      : m_output_queue(out),
        m_thread([this](std::atomic<bool> &flag) { do_work(flag); }) {}
  void do_start() { m_thread.start_working_thread(); }
  void do_stop() { m_thread.stop_working_thread(); }

private:
  // One candidate per HSI event received during the run.
  void do_work(std::atomic<bool> &running_flag) {
    for (long event = 0; event < m_hsi_events; ++event) {
      TriggerCandidate candidate{event * 64, 7};
      bool successfullyWasSent = false;
      while (!successfullyWasSent && running_flag.load()) {
        try {
          TriggerCandidate copy(candidate);
          m_output_queue.push(std::move(copy), m_queue_timeout);
          successfullyWasSent = true;
        } catch (const TimeoutExpired &) {
          ers_warning("push to output queue timed out");
        }
      }
    }
  }

  StdDeQueue<TriggerCandidate> &m_output_queue;
  std::chrono::milliseconds m_queue_timeout{10};
  long m_hsi_events = 100;
  ThreadHelper m_thread;
};

// The module downstream: leaves on the first candidate it cannot route.
class ModuleLevelTrigger {
public:
  explicit ModuleLevelTrigger(StdDeQueue<TriggerCandidate> &in)
      : m_input_queue(in),
        m_thread([this](std::atomic<bool> &flag) { do_work(flag); }) {}
  void do_start() { m_thread.start_working_thread(); }
  void wait_for_failure() { m_thread.join_exited_thread(); }

private:
  void do_work(std::atomic<bool> &running_flag) {
    while (running_flag.load()) {
      TriggerCandidate candidate;
      try {
        m_input_queue.pop(candidate, 10ms);
      } catch (const TimeoutExpired &) {
        continue;
      }
      if (candidate.detid != 1) {
        std::printf("error: MLT: no readout map for detector id %d\n",
                    candidate.detid);
        return;
      }
    }
  }

  StdDeQueue<TriggerCandidate> &m_input_queue;
  ThreadHelper m_thread;
};

int main() {
  StdDeQueue<TriggerCandidate> candidates(4);
  ModuleLevelTrigger mlt(candidates);
  TimingTriggerCandidateMaker ttcm(candidates);
  mlt.do_start();
  ttcm.do_start();
  mlt.wait_for_failure(); // the MLT's worker has left on its error
  ttcm.do_stop();         // clears the maker's running_flag and joins it
  std::printf("run stopped\n");
  return 0;
}

// accuracy-family: stranded-producer
// accuracy-origin: scp-fs2open/fs2open.github.com code/tracing/ThreadedEventProcessor.h (commit 072c365; the earlier revision used boost/thread/sync_bounded_queue.hpp directly), re-expressed
// accuracy-shape: queue=boost::sync_bounded_queue spawner=std::thread producer=calling-thread consumer=member-thread exit=throw wait=destructor
// accuracy-flags: -lboost_thread
//
// A trace sink owns a boost::sync_bounded_queue and a worker thread that
// hands every event to a Processor. The application thread submits events
// with wait_push_back and already catches sync_queue_is_closed. When the
// processor throws (here: every write fails, the disk is full), the worker
// records the error and breaks out of its loop, but nobody closes the queue:
// the application thread fills it and blocks in wait_push_back, and the
// destructor that would close it is never reached.
#include <boost/thread/concurrent_queues/queue_op_status.hpp>
#include <boost/thread/sync_bounded_queue.hpp>

#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

struct TraceEvent {
  int id = 0;
  long timestamp = 0;
  std::string scope;
};

class ErrorHolder {
public:
  void set(const std::string &message) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (message_.empty())
      message_ = message;
  }
  std::string get() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return message_;
  }

private:
  mutable std::mutex mutex_;
  std::string message_;
};

// The file backend: every write fails, the disk is full.
static void writeRecord(const TraceEvent &event) {
  if (!event.scope.empty())
    throw std::runtime_error("trace file: no space left on device");
}

struct JsonTraceProcessor {
  int written = 0;
  void processEvent(const TraceEvent &event) {
    writeRecord(event);
    ++written;
  }
};

template <class Processor, std::size_t QueueSize = 8> class ThreadedTraceSink {
public:
  explicit ThreadedTraceSink(ErrorHolder &errors)
      : events_(QueueSize), errors_(errors),
        worker_(&ThreadedTraceSink::workerThread, this) {}

  ~ThreadedTraceSink() {
    events_.close();
    worker_.join();
  }

  bool submit(const TraceEvent &event) {
    try {
      return events_.wait_push_back(event) == // accuracy: blocks
             boost::queue_op_status::success;
    } catch (const boost::concurrent::sync_queue_is_closed &) {
      return false;
    }
  }

private:
  void workerThread() {
    while (!events_.closed()) {
      try {
        TraceEvent event;
        if (events_.wait_pull_front(event) != boost::queue_op_status::success)
          break;
        processor_.processEvent(event);
      } catch (const boost::concurrent::sync_queue_is_closed &) {
        break;
      } catch (const std::exception &e) {
        errors_.set(e.what());
        break;
      }
    }
  }

  boost::sync_bounded_queue<TraceEvent> events_;
  ErrorHolder &errors_;
  Processor processor_;
  std::thread worker_;
};

int main() {
  ErrorHolder errors;
  {
    ThreadedTraceSink<JsonTraceProcessor> sink(errors);
    for (int frame = 0; frame < 500; ++frame) {
      TraceEvent event{frame, 1000L * frame, "render_frame"};
      if (!sink.submit(event))
        break;
    }
  }
  std::string error = errors.get();
  if (!error.empty()) {
    std::printf("tracing disabled: %s\n", error.c_str());
    return 0;
  }
  std::printf("trace complete\n");
  return 0;
}

// accuracy-family: stranded-producer
// accuracy-origin: bloomberg/bde groups/bdl/bdlcc/bdlcc_boundedqueue.h (disablePushBack()/disablePopFront(), each waking one side; usage example "A Simple Thread Pool": producer pushes e_STOP per consumer, bslmt::ThreadGroup::joinAll)
// accuracy-shape: queue=cv-hand-written close=pushers-only close-caller=consumer push-closed=status-int spawner=thread-group producer=calling-thread consumer=free-function exit=return wait=join-all
//
// The consumers service requests; the back end rejects every one. A failing
// consumer calls disablePushBack(), the close that wakes pushers, and returns.
// The producer's pushBack() reports e_DISABLED, it stops producing and
// releases any consumer still waiting with disablePopFront(); on its normal
// path it sends one e_STOP per consumer. Correct: every side is woken by the
// close that wakes it.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

// A bounded queue in the manner of bdlcc::BoundedQueue: each side has its own
// disable. disablePushBack() fails pending and future pushBack() calls and
// wakes the threads blocked in it; disablePopFront() does the same for
// popFront(). Neither wakes the other side.
template <class TYPE> class BoundedQueue {
public:
  enum { e_SUCCESS = 0, e_DISABLED = -1 };

  explicit BoundedQueue(std::size_t capacity) : d_capacity(capacity) {}

  int pushBack(const TYPE &value) {
    std::unique_lock<std::mutex> guard(d_mutex);
    d_notFullCondition.wait(guard, [this] {
      return d_pushDisabled || d_elements.size() < d_capacity;
    });
    if (d_pushDisabled)
      return e_DISABLED;
    d_elements.push_back(value);
    guard.unlock();
    d_notEmptyCondition.notify_one();
    return e_SUCCESS;
  }

  int popFront(TYPE *value) {
    std::unique_lock<std::mutex> guard(d_mutex);
    d_notEmptyCondition.wait(
        guard, [this] { return d_popDisabled || !d_elements.empty(); });
    if (d_popDisabled)
      return e_DISABLED;
    *value = d_elements.front();
    d_elements.pop_front();
    guard.unlock();
    d_notFullCondition.notify_one();
    return e_SUCCESS;
  }

  void disablePushBack() {
    {
      std::lock_guard<std::mutex> guard(d_mutex);
      d_pushDisabled = true;
    }
    d_notFullCondition.notify_all();
  }

  void disablePopFront() {
    {
      std::lock_guard<std::mutex> guard(d_mutex);
      d_popDisabled = true;
    }
    d_notEmptyCondition.notify_all();
  }

private:
  std::mutex d_mutex;
  std::condition_variable d_notFullCondition;  // pushBack() waits here
  std::condition_variable d_notEmptyCondition; // popFront() waits here
  std::deque<TYPE> d_elements;
  std::size_t d_capacity;
  bool d_pushDisabled = false;
  bool d_popDisabled = false;
};

// A small bslmt::ThreadGroup.
class ThreadGroup {
public:
  void addThreads(const std::function<void()> &fn, int count) {
    for (int i = 0; i < count; ++i)
      d_threads.emplace_back(fn);
  }
  void joinAll() {
    for (std::thread &t : d_threads)
      t.join();
    d_threads.clear();
  }

private:
  std::vector<std::thread> d_threads;
};

struct my_WorkRequest {
  enum RequestType { e_WORK = 1, e_STOP = 2 };
  RequestType d_type;
  int d_id;
};

struct ErrorLog {
  std::mutex d_mutex;
  std::string d_first;
  void record(const std::string &message) {
    std::lock_guard<std::mutex> guard(d_mutex);
    if (d_first.empty())
      d_first = message;
  }
};

// The back end is down: every request is rejected.
static bool myDoWork(const my_WorkRequest &) { return false; }

static void myConsumer(BoundedQueue<my_WorkRequest> *queue, ErrorLog *errors) {
  while (true) {
    my_WorkRequest item;
    if (queue->popFront(&item) != 0)
      return; // dequeue disabled: the producer gave up
    if (item.d_type == my_WorkRequest::e_STOP)
      break;
    if (!myDoWork(item)) {
      errors->record("request rejected by the back end");
      queue->disablePushBack(); // wakes a producer blocked in pushBack()
      return;
    }
  }
}

static int myProducer(int numThreads) {
  enum { k_MAX_QUEUE_LENGTH = 4, k_NUM_WORK_ITEMS = 1000 };
  BoundedQueue<my_WorkRequest> queue(k_MAX_QUEUE_LENGTH);
  ErrorLog errors;

  ThreadGroup consumerThreads;
  consumerThreads.addThreads([&] { myConsumer(&queue, &errors); }, numThreads);

  bool enqueueDisabled = false;
  for (int i = 0; i < k_NUM_WORK_ITEMS && !enqueueDisabled; ++i)
    enqueueDisabled = queue.pushBack({my_WorkRequest::e_WORK, i}) != 0;
  for (int i = 0; i < numThreads && !enqueueDisabled; ++i)
    enqueueDisabled = queue.pushBack({my_WorkRequest::e_STOP, -1}) != 0;
  if (enqueueDisabled)
    queue.disablePopFront(); // release consumers still waiting for work

  consumerThreads.joinAll();
  if (!errors.d_first.empty()) {
    std::printf("error: %s\n", errors.d_first.c_str());
    return 1;
  }
  return 0;
}

int main() {
  myProducer(3);
  return 0;
}

// accuracy-family: join-before-drain
// accuracy-origin: jonatanjacobsson/ifcpipeline PR #28 (commit e9c44da: _run_clash_in_spawn_isolation in ifcclash-worker/tasks.py joined its child before reading Queue(maxsize=1); Python), re-expressed in C++ with std::latch
// accuracy-shape: queue=cv-hand-written queue-api=put/get capacity=1 spawner=std::jthread producers=one-per-clash-set consumer=calling-thread exit=none fix=drain-before-join wait=latch-wait
//
// The clash worker runs every clash set of a request in its own isolated
// child; each child sends its result through one shared result queue of
// capacity one (Queue(maxsize=1)) and then reports that it has exited. The
// parent waits until every child has exited -- a std::latch standing for
// the joins -- and only then reads the results. The first result fits in
// the queue; the second child blocks in put, never counts down, and the
// parent waits on the latch forever.
//
// The upstream fix (drain_and_join): read the results first, then wait for
// the children to exit.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <latch>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

template <typename T> class result_queue {
public:
  explicit result_queue(std::size_t maxsize) : maxsize_(maxsize) {}
  void put(T v) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return q_.size() < maxsize_; });
    q_.push_back(std::move(v));
    cv_.notify_all();
  }
  T get() {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return !q_.empty(); });
    T v = std::move(q_.front());
    q_.pop_front();
    cv_.notify_all();
    return v;
  }

private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<T> q_;
  std::size_t maxsize_;
};

struct clash_set {
  std::string name;
  int elements_a, elements_b;
};

struct clash_result {
  std::string name;
  std::string status;
  int clashes;
};

static int count_clashes(const clash_set &set) {
  int clashes = 0;
  for (int a = 0; a < set.elements_a; ++a)
    for (int b = 0; b < set.elements_b; ++b)
      clashes += (a * 7 + b * 3) % 101 == 0;
  return clashes;
}

static int run_clash_sets(const std::vector<clash_set> &sets) {
  result_queue<clash_result> q(1);
  std::latch exited(static_cast<std::ptrdiff_t>(sets.size()));
  std::vector<std::jthread> children;
  for (const clash_set &set : sets)
    children.emplace_back([&q, &exited, set] {
      q.put({set.name, "ok", count_clashes(set)});
      exited.count_down(); // the child process exits
    });

  int total = 0;
  bool ok = true;
  for (std::size_t i = 0; i < sets.size(); ++i) {
    clash_result r = q.get();
    ok = ok && r.status == "ok";
    total += r.clashes;
  }
  exited.wait();
  return ok ? total : -1;
}

int main() {
  std::vector<clash_set> sets = {
      {"structure-vs-mep", 300, 200}, {"walls-vs-ducts", 250, 150}, {"slabs-vs-pipes", 120, 400}};
  int total = run_clash_sets(sets);
  std::printf("ifcclash: %d clashes in %zu clash sets\n", total, sets.size());
  return 0;
}

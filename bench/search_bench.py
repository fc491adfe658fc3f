def run_search_bench(sizes, keep): return "search bench: not yet"

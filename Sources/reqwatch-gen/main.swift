import ReqwatchGenerator
print("todo")

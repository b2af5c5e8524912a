# The seed's tensor session: tensors stay in the plugin between commands; values leave
# libtorch only through `nutorch tovalue`.
print "== nutorch: the seed's tensor session =="

let angles = (nutorch linspace 0.0 1.57 4)
print "linspace 0.0 1.57 4:" ($angles | nutorch tovalue)
print "repeat 3 | sin:" ($angles | nutorch repeat 3 | nutorch sin | nutorch tovalue)
print "repeat 2 2 (a [2 8] tensor):" ($angles | nutorch repeat 2 2 | nutorch tovalue | table)

print "linspace 0 10 5 in several dtypes:"
print ([float64 float32 bfloat16 int32 int64] | each {|dtype|
    {dtype: $dtype, values: (nutorch linspace 0 10 5 --dtype $dtype | nutorch tovalue | to nuon)}
} | table)

print "fromvalue [[1 2] [3 4]] | sin (ints promote to float32):"
print (nutorch fromvalue [[1 2] [3 4]] | nutorch sin | nutorch tovalue | table)
print "int64 extremes stay exact:" (nutorch fromvalue [9223372036854775807 -9223372036854775808] | nutorch tovalue)

print "a tensor at the end of a pipeline shows a short summary:"
print (nutorch linspace 0 1 1000000)
print "devices:"
print (nutorch devices | table)

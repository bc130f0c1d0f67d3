-- wrk script: POST /echo with an 87-byte JSON body (docs/http.md §1 workload).
wrk.method = "POST"
wrk.body = '{"gradients":{"w":[0.125,-0.5,0.25,1.0,-2.0,0.75]},"step":1,"lr":0.001,"note":"abcdef"}'
wrk.headers["Content-Type"] = "application/json"

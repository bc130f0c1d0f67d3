-- wrk script: POST a JSON step with 1,000 float32 gradients to the session in $OPTD_SESSION_PATH.
local n = 1000
local values = {}
for i = 1, n do values[i] = string.format("%.6f", math.sin(i) * 0.01) end
wrk.method = "POST"
wrk.path = os.getenv("OPTD_SESSION_PATH") .. "/step"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"gradients":{"w":[' .. table.concat(values, ",") .. ']}}'

function response(status, headers, body)
    if status ~= 200 then
        io.stderr:write("unexpected status " .. status .. ": " .. body:sub(1, 200) .. "\n")
        os.exit(1)
    end
end

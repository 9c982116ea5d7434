-- wrk script: POSTs the PNG files given after `--` in turn to the URL's path (/api/predict, /api/inspect, ...), one list per thread.
local bodies = {}
local next_body = 0

function init(args)
  for _, path in ipairs(args) do
    local file = assert(io.open(path, "rb"))
    bodies[#bodies + 1] = file:read("*all")
    file:close()
  end
  assert(#bodies > 0, "give the PNG files after --")
end

function request()
  next_body = next_body % #bodies + 1
  return wrk.format("POST", nil, { ["Content-Type"] = "image/png" }, bodies[next_body])
end

function response(status, headers, body)
  if status ~= 200 then
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end
